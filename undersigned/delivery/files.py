"""Where packages are written: a directory of the data dir that no URL serves.

Downloads go through a staff-only view that checks permissions (see admin.py).
"""

from pathlib import Path

from django.conf import settings


def packages_root() -> Path:
    return Path(settings.DATA_DIR) / "packages"


def package_directory(package) -> Path:
    return packages_root() / str(package.pk)


def package_path(package, name: str) -> Path | None:
    """The file `name` of a package, only if it is a plain name inside its directory."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = package_directory(package) / name
    return path if path.is_file() else None
