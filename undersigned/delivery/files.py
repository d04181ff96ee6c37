"""Where packages are kept: the private storage (undersigned.storage), under
`packages/<pk>/`, which no URL serves. Downloads go through a staff-only view that checks
permissions (see admin.py), then streams the file or redirects to a short-lived signed URL."""

import tempfile
from contextlib import contextmanager
from pathlib import Path

from undersigned.storage import delete_folder, private_files, save_as


def package_folder(package) -> str:
    return f"packages/{package.pk}"


def package_file(package, name: str) -> str | None:
    """The stored name of a package's file `name`, only if it is a plain name that exists."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    stored = f"{package_folder(package)}/{name}"
    return stored if private_files().exists(stored) else None


@contextmanager
def scratch_directory():
    """Where a task writes a package's files before they go to the storage."""
    with tempfile.TemporaryDirectory(prefix="undersigned-package-") as directory:
        yield Path(directory)


def keep(package, path: Path) -> str:
    """Store a finished local file as the package's file of the same name."""
    save_as(private_files(), f"{package_folder(package)}/{path.name}", path)
    return path.name


def delete_package_folder(package) -> None:
    delete_folder(private_files(), package_folder(package))
