"""The CSV writers: every confirmed signature exactly once, in constant memory, both ways."""

import csv
from datetime import timedelta

import pytest
from django.db import connection

from undersigned.delivery import exports
from undersigned.delivery.actions import ActionRef
from undersigned.petitions.models import Signature
from undersigned.protection.crypto import email_digest

from .delivery_fixtures import T0, closed_petition

pytestmark = pytest.mark.django_db


def add_many(petition, count, same_time_every=3):
    """`count` confirmed signatures; groups of them share a timestamp, so that the keyset
    pagination has ties to break at chunk boundaries."""
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name=f"Signer {number}",
            email=f"bulk{number}@example.org",
            email_digest=email_digest(f"bulk{number}@example.org"),
            country="SY" if number % 2 else "TR",
            language="en",
            status="confirmed",
            created_at=T0 + timedelta(days=3, seconds=number // same_time_every),
        )
        for number in range(count)
    )


def read(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_keyset_chunks_cover_every_row_once_across_ties(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)
    petition = closed_petition()
    add_many(petition, 23)
    reported = []
    rows, method = exports.write_signatures_csv(
        ActionRef.of(petition),
        tmp_path / "out.csv",
        language="en",
        method="python",
        progress=reported.append,
    )
    names = [row[0] for row in read(tmp_path / "out.csv")[1:]]
    assert rows == len(names) == 28
    assert len(set(names)) == 28
    assert reported[-1] == 28 and reported == sorted(reported)
    assert method == "python"


def test_line_breaks_and_formulas_are_neutralised(tmp_path):
    petition = closed_petition()
    Signature.objects.filter(name="Amal Haddad").update(name="Amal\nHaddad\r")
    Signature.objects.filter(name="Lena Weber").update(name="@SUM(A1)")
    exports.write_signatures_csv(
        ActionRef.of(petition), tmp_path / "out.csv", language="en", method="python"
    )
    names = [row[0] for row in read(tmp_path / "out.csv")[1:]]
    assert "Amal Haddad " in names and "'@SUM(A1)" in names
    assert (tmp_path / "out.csv").read_bytes().count(b"\n") == 6  # header + 5 rows


def test_copy_writes_the_same_file_as_python(tmp_path):
    petition = closed_petition()
    add_many(petition, 40)
    if connection.vendor != "postgresql":  # SQLite has no COPY: the Python path is chosen
        _rows, method = exports.write_signatures_csv(
            ActionRef.of(petition), tmp_path / "auto.csv", language="en"
        )
        assert method == "python"
        with pytest.raises(ValueError):
            exports.write_signatures_csv(
                ActionRef.of(petition), tmp_path / "copy.csv", language="en", method="copy"
            )
        return
    Signature.objects.filter(name="Amal Haddad").update(name="Amal\nHaddad")
    action = ActionRef.of(petition)
    for language in ["en", "ar"]:
        python_rows, _ = exports.write_signatures_csv(
            action, tmp_path / "python.csv", language=language, method="python"
        )
        copy_rows, method = exports.write_signatures_csv(
            action, tmp_path / "copy.csv", language=language, method="copy"
        )
        assert method == "copy" and copy_rows == python_rows == 45
        assert (tmp_path / "copy.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()


def test_emails_only_in_the_staff_export(tmp_path):
    action = ActionRef.of(closed_petition())
    exports.write_signatures_csv(action, tmp_path / "plain.csv", language="en")
    exports.write_signatures_csv(action, tmp_path / "emails.csv", language="en", with_emails=True)
    assert "@example.org" not in (tmp_path / "plain.csv").read_text(encoding="utf-8")
    emails = read(tmp_path / "emails.csv")
    assert emails[0][1] == "email"
    assert {row[1] for row in emails[1:]} == {f"signer{n}@example.org" for n in range(5)}
    with pytest.raises(ValueError):
        exports.write_signatures_csv(
            action, tmp_path / "x.csv", language="en", with_emails=True, method="copy"
        )
