"""Read a signatory list that staff paste (a numbered list, as letters are published) or upload
(CSV: name, country, website, networks, contact name, contact email, language) into a
preview. Nothing here writes to the database:
`services.import_endorsements` saves a preview once staff have read it."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django_countries import countries

from .models import Endorsement, Letter, normalise_name

MARKER_CHARS = "*†‡§#¹²³⁴⁵"
NUMBERED_LINE = re.compile(r"^\s*(\d{1,6})\s*[.)]\s+(.+?)\s*$")
FOOTNOTE_LINE = re.compile(rf"^\s*([{re.escape(MARKER_CHARS)}]+)\s+(.+?)\s*$")
NAME_MAX = Endorsement._meta.get_field("name").max_length
CONTACT_NAME_MAX = 120
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@dataclass
class ImportRow:
    line: int
    name: str
    number: int | None = None
    country: str = ""
    website: str = ""
    markers: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""  # asked to confirm or withdraw once imported
    language: str = ""
    duplicate: str = ""  # why the row will be skipped, empty when it will be imported


@dataclass
class Problem:
    line: int
    text: str
    reason: str


@dataclass
class Preview:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)
    footnotes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.duplicate]

    @property
    def duplicate_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.duplicate]

    def marker_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.new_rows:
            for marker in row.markers:
                counts[marker] = counts.get(marker, 0) + 1
        return counts


def split_markers(text: str, known: set[str]) -> tuple[str, list[str]]:
    """'Ahl Horan*' -> ('Ahl Horan', ['*']). A trailing run that is one of the letter's own
    markers (say '**') stays whole; otherwise each character is a marker."""
    name = text.rstrip(MARKER_CHARS).rstrip()
    run = text[len(name) :].replace(" ", "")
    if not run:
        return name, []
    if run in known:
        return name, [run]
    return name, list(dict.fromkeys(run))


def parse_numbered_list(text: str, letter: Letter) -> Preview:
    known = set(letter.networks().values_list("marker", flat=True))
    preview = Preview()
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        numbered = NUMBERED_LINE.match(line)
        footnote = FOOTNOTE_LINE.match(line)
        if numbered:
            name, markers = split_markers(numbered.group(2), known)
            add_row(preview, ImportRow(line_number, name, int(numbered.group(1)), markers=markers))
        elif footnote:
            preview.footnotes.append((footnote.group(1), footnote.group(2)))
        else:
            preview.problems.append(
                Problem(line_number, line.strip(), _("Not a numbered line such as “12. Name”."))
            )
    preview.gaps = numbering_gaps([row.number for row in preview.rows if row.number])
    check_markers(preview, known)
    return check_duplicates(preview, letter)


def parse_csv(text: str, letter: Letter) -> Preview:
    networks = {n.marker: n for n in letter.networks()}
    by_name = {n.name.casefold(): n.marker for n in networks.values()}
    preview = Preview()
    reader = csv.reader(io.StringIO(text))
    for line_number, cells in enumerate(reader, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells) or (line_number == 1 and cells[0].casefold() == "name"):
            continue
        name, country, website, network_cell, contact_name, contact_email, language = (
            [*cells, *[""] * 7]
        )[:7]
        row = ImportRow(line_number, name)
        reason = (
            read_country(row, country)
            or read_website(row, website)
            or read_networks(row, network_cell, networks, by_name)
            or read_contact(row, contact_name, contact_email)
            or read_language(row, language)
        )
        if reason:
            preview.problems.append(Problem(line_number, ",".join(cells), reason))
        else:
            add_row(preview, row)
    return check_duplicates(preview, letter)


def add_row(preview: Preview, row: ImportRow) -> None:
    if not normalise_name(row.name):
        preview.problems.append(Problem(row.line, row.name, _("There is no name on this line.")))
    elif len(row.name) > NAME_MAX:
        preview.problems.append(
            Problem(
                row.line,
                row.name,
                _("The name is longer than %(max)s characters.") % {"max": NAME_MAX},
            )
        )
    else:
        preview.rows.append(row)


def read_country(row: ImportRow, value: str) -> str:
    if not value:
        return ""
    code = countries.alpha2(value) or countries.by_name(value)
    if not code:
        return _("Unknown country “%(country)s”: use a two-letter code such as SY.") % {
            "country": value
        }
    row.country = code
    return ""


def read_website(row: ImportRow, value: str) -> str:
    if not value:
        return ""
    url = value if "://" in value else f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return _("“%(website)s” is not a website address.") % {"website": value}
    if len(url) > 200:
        return _("The website address is too long.")
    row.website = url
    return ""


def read_contact(row: ImportRow, name: str, email: str) -> str:
    if len(name) > CONTACT_NAME_MAX:
        return _("The contact name is longer than %(max)s characters.") % {"max": CONTACT_NAME_MAX}
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            return _("“%(email)s” is not an email address.") % {"email": email}
    row.contact_name, row.contact_email = name, email
    return ""


def read_language(row: ImportRow, value: str) -> str:
    if value and value.lower() not in LANGUAGE_CODES:
        return _("Unknown language “%(language)s”: use %(codes)s.") % {
            "language": value,
            "codes": ", ".join(sorted(LANGUAGE_CODES)),
        }
    row.language = value.lower()
    return ""


def read_networks(row: ImportRow, value: str, networks: dict, by_name: dict) -> str:
    for token in filter(None, (t.strip() for t in re.split(r"[;|]", value))):
        marker = token if token in networks else by_name.get(token.casefold())
        if marker is None:
            return _("Unknown network “%(network)s”.") % {"network": token}
        row.markers.append(marker)
    return ""


def numbering_gaps(numbers: list[int]) -> list[int]:
    """The numbers a list skips, e.g. [1, 2, 4] -> [3]."""
    gaps: list[int] = []
    expected = 1
    for number in numbers:
        if number > expected:
            gaps.extend(range(expected, number))
        expected = max(expected, number + 1)
    return gaps


def check_markers(preview: Preview, known: set[str]) -> None:
    unknown = sorted({m for row in preview.rows for m in row.markers if m not in known})
    for marker in unknown:
        preview.problems.append(
            Problem(
                0,
                marker,
                _("The marker %(marker)s is not one of this letter's networks: it will be ignored.")
                % {"marker": marker},
            )
        )
    for row in preview.rows:
        row.markers = [m for m in row.markers if m in known]


def check_duplicates(preview: Preview, letter: Letter) -> Preview:
    """Mark rows that repeat an earlier row or an endorsement already on the letter. A missing
    country matches any country: imported lists rarely have one."""
    seen: dict[str, list[ImportRow | Endorsement]] = {}
    for endorsement in Endorsement.objects.filter(letter=letter.original).listed():
        seen.setdefault(endorsement.normalised_name, []).append(endorsement)
    for row in preview.rows:
        key = normalise_name(row.name)
        match = next((e for e in seen.get(key, []) if same_country(e.country, row.country)), None)
        if isinstance(match, ImportRow):
            row.duplicate = _("Same as line %(line)s.") % {"line": match.line}
        elif match is not None:
            row.duplicate = _("Already on this letter as “%(name)s” (%(status)s).") % {
                "name": match.name,
                "status": match.get_status_display(),
            }
        seen.setdefault(key, []).append(row)
    return preview


def same_country(one: str, other: str) -> bool:
    return not one or not other or str(one) == str(other)
