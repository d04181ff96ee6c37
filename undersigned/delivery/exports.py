"""CSV files of an action's signatures, written to disk in constant memory.

- Petitions, without email addresses: on PostgreSQL the database writes the CSV itself
  (`COPY (SELECT …) TO STDOUT` through psycopg's `cursor.copy()`), which the benchmark in
  `benchmarks/export_csv.py` measured at about twice as fast as Python; elsewhere, Python
  reads the rows in keyset-paginated chunks of 5,000.
- Petitions with email addresses (staff only): Python, reading `signature.email` through the
  ORM, so the export keeps working when the column is encrypted at rest.
- Letters: a few hundred endorsements, in the numbered order of the public list.

Signatures counted only (visibility "count") are never in a file: they have no name, and
the package's PDF says how many there are.

Keyset pagination (`(created_at, id) > last`, `ORDER BY created_at, id LIMIT 5000`) uses the
(petition, status, created_at) index, holds no server-side cursor open and no transaction,
so the progress written between chunks is visible to staff as it happens.
Cells that a spreadsheet would run as a formula get a leading apostrophe; line breaks in
names become spaces, so each signature is exactly one line.
"""

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.utils import translation
from django_countries import countries

from undersigned import replicas
from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Signature, Visibility

from .actions import ActionRef

CHUNK_SIZE = 5000
BOM = "\ufeff"  # so that spreadsheet programs read the file as UTF-8 (Arabic names included)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINE_BREAKS = str.maketrans({"\r": " ", "\n": " "})

PETITION_COLUMNS = ["name", "country", "country_name", "signed_at"]
PETITION_EMAIL_COLUMNS = ["name", "email", "country", "country_name", "signed_at"]
LETTER_COLUMNS = ["number", "name", "networks", "country", "country_name", "website", "signed_at"]
LETTER_EMAIL_COLUMNS = [*LETTER_COLUMNS, "contact_name", "contact_email"]

Progress = Callable[[int], None]


def safe_cell(text: str) -> str:
    text = (text or "").translate(LINE_BREAKS)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def timestamp(moment) -> str:
    """UTC, to the second: 2024-03-01T09:30:00Z (what the COPY path writes too)."""
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}" if moment else ""


def country_names(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def copy_available() -> bool:
    return connection.vendor == "postgresql"


def write_signatures_csv(
    action: ActionRef,
    path: Path,
    *,
    language: str,
    with_emails: bool = False,
    method: str = "auto",
    progress: Progress | None = None,
) -> tuple[int, str]:
    """Write the CSV to `path` (through a temporary file, renamed when complete).
    Returns the number of rows and the method used ("copy" or "python")."""
    progress = progress or (lambda rows: None)
    names = country_names(language)
    if method == "auto":
        method = "copy" if copy_available() and action.is_petition and not with_emails else "python"
    if method == "copy" and (with_emails or not action.is_petition or not copy_available()):
        raise ValueError("COPY writes the plain petition CSV on PostgreSQL only")
    partial = path.with_name(path.name + ".part")
    if method == "copy":
        with partial.open("wb") as out:
            out.write(BOM.encode())
            out.write((",".join(PETITION_COLUMNS) + "\n").encode())
            rows = copy_petition_rows(action.pk, out, names, progress)
    else:
        with partial.open("w", encoding="utf-8", newline="", buffering=1 << 20) as out:
            out.write(BOM)
            writer = csv.writer(out, lineterminator="\n")
            if action.is_petition:
                rows = write_petition_rows(action, writer, names, with_emails, progress)
            else:
                rows = write_letter_rows(action, writer, names, with_emails, progress)
    partial.replace(path)
    return rows, method


def write_petition_rows(action, writer, names: dict, with_emails: bool, progress) -> int:
    written = 0
    if with_emails:
        writer.writerow(PETITION_EMAIL_COLUMNS)
        for chunk in signature_chunks(exported_signatures(action)):
            writer.writerows(
                (
                    safe_cell(s.name),
                    s.email,  # through the ORM: decrypted there if encrypted at rest
                    s.country.code,
                    names.get(s.country.code, ""),
                    timestamp(s.created_at),
                )
                for s in chunk
            )
            written += len(chunk)
            progress(written)
        return written
    writer.writerow(PETITION_COLUMNS)
    for chunk in row_chunks(exported_signatures(action), ["name", "country", "created_at"]):
        writer.writerows(
            (safe_cell(name), country, names.get(country, ""), timestamp(signed_at))
            for name, country, signed_at, _pk in chunk
        )
        written += len(chunk)
        progress(written)
    return written


def exported_signatures(action) -> QuerySet:
    """What a file may name: confirmed signatures not counted only, approved endorsements."""
    signatures = action.signatures()
    return signatures.named() if action.is_petition else signatures


def row_chunks(queryset: QuerySet, fields: list[str], size: int = CHUNK_SIZE) -> Iterator[list]:
    """Tuples of `fields` + (created_at, pk) last, in (created_at, pk) order, `size` at a time."""
    values = [*fields, "pk"]
    at = values.index("created_at")
    last = None
    while True:
        page = after(queryset, last).order_by("created_at", "pk").values_list(*values)[:size]
        chunk = list(page)
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = (chunk[-1][at], chunk[-1][-1])


def signature_chunks(queryset: QuerySet, size: int = CHUNK_SIZE) -> Iterator[list[Signature]]:
    """Signature instances (name, email, country, date) in (created_at, pk) order."""
    last = None
    while True:
        page = after(queryset, last).order_by("created_at", "pk")
        chunk = list(page.only("name", "email", "country", "created_at")[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = (chunk[-1].created_at, chunk[-1].pk)


def after(queryset: QuerySet, last) -> QuerySet:
    if last is None:
        return queryset
    moment, pk = last
    # The plain `>=` bound lets the index range scan start at `moment`; the OR breaks ties.
    return queryset.filter(created_at__gte=moment).filter(Q(created_at__gt=moment) | Q(pk__gt=pk))


def write_letter_rows(action, writer, names: dict, with_emails: bool, progress) -> int:
    writer.writerow(LETTER_EMAIL_COLUMNS if with_emails else LETTER_COLUMNS)
    written = 0
    for endorsement in Endorsement.objects.numbered(action.obj):
        code = endorsement.country.code if endorsement.country else ""
        row = [
            endorsement.number,
            safe_cell(endorsement.name),
            "".join(network.marker for network in endorsement.networks.all()),
            code,
            names.get(code, ""),
            safe_cell(endorsement.website),
            timestamp(endorsement.created_at),
        ]
        if with_emails:
            row += [safe_cell(endorsement.contact_name), safe_cell(endorsement.contact_email)]
        writer.writerow(row)
        written += 1
        if written % CHUNK_SIZE == 0:
            progress(written)
    progress(written)
    return written


def copy_petition_rows(petition_id: int, out, names: dict, progress) -> int:
    """PostgreSQL writes the rows as CSV; we only pass the bytes on to the file."""
    from psycopg import sql

    field = Signature._meta.get_field
    column = {name: sql.Identifier(field(name).column) for name in ["name", "country"]}
    countries_table = sql.SQL(", ").join(
        sql.SQL("({}, {})").format(sql.Literal(code), sql.Literal(name))
        for code, name in names.items()
    )
    query = sql.SQL(
        """COPY (
        SELECT CASE WHEN left(s.{name}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r')
                    THEN '''' || translate(s.{name}, E'\\r\\n', '  ')
                    ELSE translate(s.{name}, E'\\r\\n', '  ') END,
               s.{country},
               COALESCE(c.name, ''),
               to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        FROM {table} AS s
        LEFT JOIN (VALUES {countries}) AS c (code, name) ON c.code = s.{country}
        WHERE s.petition_id = {petition} AND s.status = {status}
          AND s.{visibility} <> {count_only}
        ORDER BY s.created_at, s.id
    ) TO STDOUT WITH (FORMAT csv)"""
    ).format(
        name=column["name"],
        country=column["country"],
        table=sql.Identifier(Signature._meta.db_table),
        countries=countries_table,
        petition=sql.Literal(petition_id),
        status=sql.Literal(Signature.Status.CONFIRMED.value),
        visibility=sql.Identifier(field("visibility").column),
        count_only=sql.Literal(Visibility.COUNT.value),
    )
    written = reported = 0
    source = connections[replicas.read_alias()]  # the replica inside replicas.reading()
    source.ensure_connection()
    with source.cursor() as wrapper, wrapper.cursor.copy(query) as copy:
        for data in copy:
            out.write(data)
            written += bytes(data).count(b"\n")
            if written - reported >= CHUNK_SIZE:
                progress(written)
                reported = written
    progress(written)
    return written
