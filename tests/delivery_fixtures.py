"""Builders for delivery tests (plain functions, like tests/factories.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from undersigned.petitions.models import ShareClick, Signature, State
from undersigned.protection.crypto import email_digest

from .factories import make_petition
from .personas import member

# A small, known data set: (name, country, status, source, language, opt_in, signed at)
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
SIGNERS = [
    ("Amal Haddad", "LB", "confirmed", "", "en", True, T0),
    ("Omar Khalil", "SY", "confirmed", "newsletter", "ar", True, T0 + timedelta(minutes=5)),
    ("رنا العلي", "SY", "confirmed", "share-whatsapp", "ar", False, T0 + timedelta(hours=2)),
    ("=cmd|' /C calc'!A0", "FR", "confirmed", "", "en", False, T0 + timedelta(days=1)),
    ("Lena Weber", "DE", "confirmed", "newsletter", "en", True, T0 + timedelta(days=1, hours=1)),
    ("Pending Person", "SY", "pending", "newsletter", "en", True, T0 + timedelta(days=2)),
]


def add_signatures(petition, rows=SIGNERS, prefix="signer") -> list[Signature]:
    created = []
    for index, (name, country, status, source, language, opt_in, signed_at) in enumerate(rows):
        email = f"{prefix}{index}@example.org"
        created.append(
            Signature.objects.create(
                petition=petition,
                name=name,
                email=email,
                email_digest=email_digest(email),
                country=country,
                language=language,
                status=status,
                opt_in=opt_in,
                source=source,
                created_at=signed_at,
                confirmed_at=signed_at if status == "confirmed" else None,
            )
        )
    petition.recount()
    return created


def closed_petition(slug="free-the-detained", **fields):
    petition = make_petition(slug, state=State.CLOSED, **fields)
    add_signatures(petition)
    ShareClick.objects.create(petition=petition, channel="whatsapp", day=T0.date(), count=7)
    ShareClick.objects.create(
        petition=petition, channel="whatsapp", day=T0.date() + timedelta(1), count=3
    )
    ShareClick.objects.create(petition=petition, channel="email", day=T0.date(), count=2)
    return petition


def staff_member(username="campaigner", permissions=()):
    """A member of the default organisation whose role holds exactly `permissions`."""
    return member(username, permissions=list(permissions))


@pytest.fixture
def packages_dir(settings, tmp_path):
    """Packages go to the private storage in a data dir of the test's own."""
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR / "private" / "packages"
