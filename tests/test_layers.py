"""The apps stand in layers: each imports only from the layers below it (and itself).

Lower layers know nothing of higher ones; a higher app that needs to be told something
by a lower one registers itself (the home page's action sources, the confirmation
handlers, the task worker's outboxes). The project's own modules (settings, urls) sit
above every app.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "undersigned"

LAYERS = [
    {"config", "ownership", "replicas", "protection", "storage", "workers"},
    {"organisations", "emails", "pages", "audit"},
    {"staff"},
    {"actions"},
    {"petitions", "letters"},
    {"delivery", "api"},
    {"subscribers"},
    {"news"},
    {"supporters"},
]
PROJECT = {"settings", "urls", "manage", "wsgi", "formats"}
LAYER_OF = {app: index for index, apps in enumerate(LAYERS) for app in apps}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "undersigned" and len(parts) > 1 else None


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def modules(package: Path = PACKAGE):
    for path in package.rglob("*.py"):
        if "migrations" not in path.parts:
            relative = path.relative_to(package.parent).with_suffix("")
            yield path, "undersigned." + ".".join(relative.parts[1:])


def wrong_imports(package: Path = PACKAGE) -> list[str]:
    wrong = []
    for path, name in modules(package):
        source = app_of(name)
        if source in PROJECT or source == "__init__":
            continue
        for imported in imports(path):
            target = app_of(imported)
            if target is None or target == source:
                continue
            if target in PROJECT or LAYER_OF[target] >= LAYER_OF[source]:
                wrong.append(f"{name} imports {imported}")
    return wrong


def test_every_app_has_a_layer():
    apps = {app_of(name) for _, name in modules()} - {"__init__"}
    assert apps - PROJECT == set(LAYER_OF)


def test_no_import_runs_up_or_across_the_layers():
    assert wrong_imports() == []


def test_the_check_sees_an_import_up_or_across(tmp_path):
    package = tmp_path / "undersigned"
    (package / "petitions").mkdir(parents=True)
    (package / "petitions" / "tasks.py").write_text(
        "from undersigned.supporters.links import my_data_url\n"  # up
        "import undersigned.letters.models\n"  # across
        "from undersigned.protection.crypto import email_digest\n"  # down: fine
        "from .models import Petition\n"  # its own app: fine
    )
    assert wrong_imports(package) == [
        "undersigned.petitions.tasks imports undersigned.supporters.links",
        "undersigned.petitions.tasks imports undersigned.letters.models",
    ]
