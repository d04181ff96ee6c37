"""Incremental pulls read what changed, not the whole table: the database's own plan for the
partners' feeds, with some thousands of signatures, uses the indexes made for them (on
SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from undersigned.api import cursors
from undersigned.api.keys import create_key
from undersigned.api.models import ApiKey
from undersigned.api.private import EndorsementQuery, FeedQuery, endorsement_query, signature_query
from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Signature

from .factories import make_organiser, make_petition
from .letters_fixtures import make_letter

pytestmark = pytest.mark.django_db

PER_PETITION = 2000


@pytest.fixture
def busy_installation():
    ours = make_organiser()
    theirs = make_organiser("other-org", "Other Org", "منظمة أخرى")
    petitions = [
        make_petition("ours-one", organiser=ours),
        make_petition("ours-two", organiser=ours),
        make_petition("theirs", organiser=theirs),
    ]
    start = timezone.now() - timedelta(days=30)
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name="Signer",
            email=f"s{index}-{petition.pk}@example.org",
            email_digest=f"{petition.pk}-{index}",
            country="LB",
            language="en",
            status=Signature.Status.CONFIRMED,
            created_at=start + timedelta(minutes=index),
            confirmed_at=start + timedelta(minutes=index),
        )
        for petition in petitions
        for index in range(PER_PETITION)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return create_key(ours, "CRM", ApiKey.Scope.READ, None)[0]


def plan_of(rows) -> str:
    plan = rows[: cursors.DEFAULT_LIMIT + 1].explain()
    print(plan)  # shown with -s, for the reader measuring
    return plan


def reads_by_index(plan: str, index: str) -> bool:
    if connection.vendor == "postgresql":
        return index in plan and "Seq Scan on petitions_signature" not in plan
    return f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan


def test_a_pull_of_what_changed_since_uses_the_feed_index(busy_installation):
    since = timezone.now() - timedelta(hours=2)
    feed = FeedQuery(updated_since=since.isoformat())
    assert reads_by_index(
        plan_of(signature_query(busy_installation, feed, "s", False)), "signature_feed"
    )


def test_a_pull_of_one_petition_reads_only_that_petition(busy_installation):
    """One petition's rows (1,333 here) may be read by the feed index or by the petition's
    and sorted: PostgreSQL picks either, by a hair. What matters is that it never scans."""
    feed = FeedQuery(petition="ours-one")
    plan = plan_of(signature_query(busy_installation, feed, "s", False))
    if connection.vendor == "postgresql":
        assert "Seq Scan on petitions_signature" not in plan, plan
    else:
        assert reads_by_index(plan, "signature_feed"), plan


def test_the_next_page_by_cursor_uses_the_feed_index(busy_installation):
    moment = timezone.now() - timedelta(hours=1)
    cursor = cursors.make(f"s:{busy_installation.pk}", moment.isoformat(), 1)
    feed = FeedQuery(cursor=cursor)
    assert reads_by_index(
        plan_of(signature_query(busy_installation, feed, "s", True)), "signature_feed"
    )


def test_endorsements_since_use_their_index(busy_installation):
    letters = [
        make_letter("our-letter", organiser=busy_installation.organisation),
        make_letter("their-letter", organiser=make_organiser("other-org")),
    ]
    Endorsement.objects.bulk_create(
        Endorsement(
            letter=letter,
            name=f"Organisation {index}",
            normalised_name=f"organisation {index}",
            country="SY",
            status=Endorsement.Status.APPROVED,
        )
        for letter in letters
        for index in range(PER_PETITION)
    )
    Endorsement.objects.update(updated_at=timezone.now() - timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    since = timezone.now() - timedelta(hours=2)
    rows = endorsement_query(busy_installation, EndorsementQuery(updated_since=since.isoformat()))
    plan = plan_of(rows)
    if connection.vendor == "postgresql":
        assert "endorsement_feed" in plan and "Seq Scan on letters_endorsement" not in plan
    else:
        assert "USING INDEX endorsement_feed" in plan
