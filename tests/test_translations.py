"""Every Arabic translation formats without error: it keeps the placeholders of its
English source (a plural form may leave out a named count, "إجراءان" says two by itself,
but never a positional one, which would break the formatting)."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "undersigned"
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sd]")


def entries(path: Path):
    """(msgid and its plural, [msgstr forms], fuzzy) of a .po file, read plainly."""
    current, key = {}, None
    for line in [*path.read_text().splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                forms = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
                source = current["msgid"] + " " + current.get("msgid_plural", "")
                yield source, forms, current.get("fuzzy", False)
            current, key = {}, None
        elif line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        else:
            key, _, value = line.partition(" ")
            if key.startswith("msgid_plural"):
                key = "msgid_plural"
            current[key] = value[1:-1]


def placeholders(text: str) -> tuple[list, set]:
    found = PLACEHOLDER.findall(text)
    return [name for name in found if not name], {name for name in found if name}


def test_translations_keep_their_placeholders():
    wrong = []
    files = sorted(PACKAGE.glob("*/locale/ar/LC_MESSAGES/django.po"))
    assert files
    for path in files:
        for msgid, forms, fuzzy in entries(path):
            assert not fuzzy, (path, msgid)
            positional, named = placeholders(msgid)
            plural = len(forms) > 1
            for form in forms:
                if not form:
                    wrong.append((path.parent.parent.parent.parent.name, msgid, "untranslated"))
                    continue
                got_positional, got_named = placeholders(form)
                # the plural's English carries each positional placeholder once
                expected = len(positional) // 2 if plural else len(positional)
                if (
                    len(got_positional) != expected
                    or not got_named <= named
                    or (not plural and got_named != named)
                ):
                    wrong.append((path.parent.parent.parent.parent.name, msgid, form))
    assert wrong == []
