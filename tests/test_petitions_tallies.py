"""The daily roll-ups behind the progress page stay equal to the signatures themselves
through signing, confirming, invalidating and restoring a batch, erasing and removing
unconfirmed signatures, before and after each roll-up (petitions/tallies.py)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.pages.confirmations import make_token
from undersigned.petitions import tallies
from undersigned.petitions.models import (
    DailyTally,
    Signature,
    StaleDay,
    TallyConfirmation,
    TallyMark,
)
from undersigned.petitions.tallies import GRACE
from undersigned.petitions.tasks import remove_unconfirmed_signatures
from undersigned.protection.crypto import email_digest
from undersigned.supporters import services

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"


def past_signatures(petition, now):
    """Signatures of the last ten days: several countries, sources, statuses and hours."""
    rows = [
        ("Amal Haddad", "SY", "confirmed", "", 3, 9),
        ("Omar Khalil", "SY", "pending", "share-whatsapp", 3, 9),
        ("Rana Nasser", "LB", "pending", "share-whatsapp", 3, 17),
        ("Lena Weber", "DE", "confirmed", "newsletter", 2, 0),
        ("Sami Rossi", "TR", "pending", "", 2, 23),
        ("Maya Silva", "SY", "pending", "share-whatsapp", 1, 12),
        ("Old Pending", "JO", "pending", "", 9, 8),
    ]
    created = []
    for index, (name, country, status, source, days_ago, hour) in enumerate(rows):
        email = f"past{index}@{'gmail.com' if index % 3 == 0 else 'example.org'}"
        day = timezone.localtime(now - timedelta(days=days_ago))
        signed_at = day.replace(hour=hour, minute=17, second=0, microsecond=0)
        created.append(
            Signature.objects.create(
                petition=petition,
                name=name,
                email=email,
                email_digest=email_digest(email),
                country=country,
                language="en",
                status=status,
                source=source,
                created_at=signed_at,
                confirmed_at=signed_at if status == "confirmed" else None,
            )
        )
    petition.recount()
    return created


def normal(groups: tallies.Groups) -> dict:
    def rows(items):
        return sorted(
            (key.isoformat() if hasattr(key, "isoformat") else key, status, n)
            for key, status, n in items
            if n
        )

    names = ("days", "hours", "countries", "sources", "domains")
    return {name: rows(getattr(groups, name)) for name in names}


def assert_exact(petition):
    """What the progress page reads equals a count of every signature."""
    since = timezone.now() - timedelta(days=12)
    truth = tallies.live(Signature.objects.filter(petition=petition), since)
    shown, real = normal(tallies.read(petition.pk, since)), normal(truth)
    for name in shown:
        assert shown[name] == real[name], (name, set(shown[name]) ^ set(real[name]))


class Clock:
    """The test's own time, which a roll-up needs to pass its grace period: each roll-up
    happens ten minutes later, and each signature signed through the site is signed at
    the clock's time."""

    def __init__(self):
        self.now = timezone.now()

    def sign(self, client, **fields):
        assert client.post(URL, signer(**fields)).status_code == 302
        digest = email_digest(fields.get("email", "amal@example.org"))
        Signature.objects.filter(email_digest=digest).update(created_at=self.now)

    def roll_up(self, petition):
        self.now += 2 * GRACE
        tallies.roll_up(petition.pk, now=self.now)


def roll_up(petition):
    tallies.roll_up(petition.pk)


def confirm(client, signature):
    response = client.post(f"/en/confirm/{make_token('signature', signature.pk)}/")
    assert response.status_code == 302 and "confirmed=1" in response["Location"]
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_tallies_equal_the_signatures_through_every_change(client, run_tasks):
    petition = make_petition()
    now = timezone.now()
    amal, omar, _rana, _lena, _sami, maya, _old = past_signatures(petition, now)
    assert_exact(petition)  # never rolled up: everything read from the signatures

    roll_up(petition)
    assert DailyTally.objects.filter(petition=petition).exists()
    assert TallyMark.objects.get(petition=petition).rolled_until <= now
    assert_exact(petition)

    # Signing, as a signer does: new signatures are read until the next roll-up
    clock = Clock()
    clock.sign(client, source="newsletter")
    clock.sign(client, email="nour@example.org", country="SY")
    assert_exact(petition)
    clock.roll_up(petition)
    assert_exact(petition)

    # Confirming old and new signatures through their links
    confirm(client, omar)
    confirm(client, Signature.objects.get(email_digest=email_digest("nour@example.org")))
    assert TallyConfirmation.objects.filter(petition=petition).count() == 2
    assert_exact(petition)
    clock.roll_up(petition)
    assert not TallyConfirmation.objects.filter(petition=petition).exists()
    assert_exact(petition)

    # A signature confirmed before its first roll-up is counted once
    clock.sign(client, email="hala@example.org", country="JO")
    confirm(client, Signature.objects.get(email_digest=email_digest("hala@example.org")))
    clock.roll_up(petition)
    assert_exact(petition)

    # Invalidating a batch by source, then restoring it
    batch = services.invalidate_batch(
        petition,
        dimension="source",
        value="share-whatsapp",
        since=now - timedelta(days=5),
        until=timezone.now(),
        reason="A flood from one link",
        user=None,
    )
    assert StaleDay.objects.filter(petition=petition).exists()
    assert_exact(petition)
    clock.roll_up(petition)
    assert not StaleDay.objects.filter(petition=petition).exists()
    assert_exact(petition)
    services.restore_batch(batch, user=None)
    assert_exact(petition)
    confirm(client, maya)  # a restored pending signature confirmed afterwards
    assert_exact(petition)
    clock.roll_up(petition)
    assert_exact(petition)

    # A signer's erasure (hour and source go) and the removal of stale unconfirmed ones
    services.erase_signer(amal.email_digest)
    services.erase_signer(email_digest("nour@example.org"))
    assert_exact(petition)
    clock.roll_up(petition)
    assert_exact(petition)
    assert remove_unconfirmed_signatures.call() == 1
    assert_exact(petition)
    clock.roll_up(petition)
    assert_exact(petition)
    # the page's totals are the real counts
    days = tallies.read(petition.pk, None).days
    confirmed = Signature.objects.filter(petition=petition, status="confirmed").count()
    assert sum(n for _day, status, n in days if status == "confirmed") == confirmed == 6


def test_a_retention_erasure_keeps_the_tallies_exact(client):
    petition = make_petition(state="closed")
    past_signatures(petition, timezone.now())
    roll_up(petition)
    petition.retention_days = 0
    petition.closed_at = timezone.now() - timedelta(days=1)
    petition.save()
    assert services.erase_expired_petition(petition.pk) > 0
    assert_exact(petition)  # erased rows moved to midnight, lost their source: stale days
    roll_up(petition)
    assert_exact(petition)
    hours = {
        t.value
        for t in DailyTally.objects.filter(petition=petition, dimension="hour", status="confirmed")
    }
    assert hours == {"00"}


def test_a_second_roll_up_with_nothing_new_writes_nothing():
    petition = make_petition()
    past_signatures(petition, timezone.now())
    roll_up(petition)
    before = sorted(DailyTally.objects.values_list("day", "status", "dimension", "value", "count"))
    assert tallies.roll_up(petition.pk) == 0
    after = sorted(DailyTally.objects.values_list("day", "status", "dimension", "value", "count"))
    assert before == after


def test_the_progress_page_shows_the_rolled_up_figures_and_queues_the_next_roll_up(
    client, personas, run_tasks
):
    petition = make_petition(state="closed")
    past_signatures(petition, timezone.now())
    client.force_login(personas.viewer_a)
    url = f"/admin/delivery/petitionaction/{petition.pk}/progress/"
    html = client.get(url).content.decode()
    assert re.search(r"\b2\b", html)  # two confirmed signatures
    assert not TallyMark.objects.filter(petition=petition).exists()
    run_tasks()  # the page queued the roll-up
    assert TallyMark.objects.filter(petition=petition).exists()
    again = client.get(url + "?fresh=1").content.decode()
    strip = re.compile(r"<svg.*?</svg>|\d{1,2}:\d\d|id=\"chart\d+[^\"]*\"", re.S)
    assert strip.sub("", again).count("Syria") == strip.sub("", html).count("Syria")
    assert_exact(petition)
