"""Retention: signers' names and emails are erased a set time after a petition closes, by a
daily task queued with `undersigned housekeeping`; counts and country totals stay."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from undersigned.actions.lifecycle import close_action, reopen_action
from undersigned.audit.models import AuditEntry
from undersigned.petitions.models import Petition, Signature, State
from undersigned.protection.crypto import email_digest
from undersigned.protection.models import DailyKey
from undersigned.supporters import services, tasks

from .factories import make_petition

pytestmark = pytest.mark.django_db

COUNTRIES = ["LB", "SY", "SY", "FR"]


def add_signers(petition, n=4, prefix="s"):
    for index in range(n):
        email = f"{prefix}{index}@example.org"
        Signature.objects.create(
            petition=petition,
            name=f"Signer {index}",
            email=email,
            email_digest=email_digest(email),
            ip_hash=f"{index:032x}",
            country=COUNTRIES[index % len(COUNTRIES)],
            language="en",
            status="confirmed",
            opt_in=True,
            consent_text="Keep me updated",
            consent_version="1",
            source="newsletter",
        )
    petition.recount()


def closed(slug, days_ago, **fields) -> Petition:
    petition = make_petition(slug, state=State.CLOSED, **fields)
    Petition.objects.filter(pk=petition.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago)
    )
    petition.refresh_from_db()
    add_signers(petition, prefix=slug)
    return petition


def totals(petition):
    rows = petition.signatures.values("country").annotate(n=Count("pk")).order_by("country")
    return petition.signature_count(), [(row["country"], row["n"]) for row in rows]


def test_housekeeping_erases_expired_petitions_only(settings, run_tasks):
    settings.RETENTION_DAYS = 180
    old = closed("old", days_ago=200)
    recent = closed("recent", days_ago=10)
    short = closed("short", days_ago=10, retention_days=7)
    past_closing_date = make_petition("past-date", state=State.OPEN)
    Petition.objects.filter(pk=past_closing_date.pk).update(
        closes_at=timezone.now() - timedelta(days=181)
    )
    add_signers(past_closing_date, prefix="pd")
    still_open = make_petition("still-open", state=State.OPEN)
    add_signers(still_open, prefix="open")
    before = {p.slug: totals(p) for p in Petition.objects.all()}

    call_command("housekeeping", verbosity=0)
    assert {r.task_path.rsplit(".", 1)[1] for r in DBTaskResult.objects.all()} == {
        "close_due_actions",
        "erase_expired_signer_data",
        "remove_unconfirmed_signatures",
        "forget_old_day_keys",
        "send_review_digests",
        "roll_up_tallies",
        "roll_up_views",
    }
    run_tasks()

    for petition in Petition.objects.all():
        assert totals(petition) == before[petition.slug]  # counts and countries stay
    for slug in ("old", "short", "past-date"):
        signatures = Signature.objects.filter(petition__slug=slug)
        assert not signatures.held().exists()
        assert set(signatures.values_list("name", "email_domain", "ip_hash", "source")) == {
            ("", "", "", "")
        }
        assert all(s.email == "" and not s.opt_in for s in signatures)
        assert Petition.objects.get(slug=slug).signer_data_erased_at is not None
    for slug in ("recent", "still-open"):
        assert Signature.objects.filter(petition__slug=slug).held().count() == 4

    entries = AuditEntry.objects.filter(action="signer_data.erased")
    assert {(e.object_id, e.username, e.detail["erased"]) for e in entries} == {
        (str(old.pk), "system", 4),
        (str(short.pk), "system", 4),
        (str(past_closing_date.pk), "system", 4),
    }
    assert entries.get(object_id=str(short.pk)).detail["retention_days"] == 7

    # running again (or on a second worker) changes nothing and records nothing
    call_command("housekeeping", verbosity=0)
    run_tasks()
    assert services.erase_expired_petition(old.pk) == 0
    assert entries.count() == 3
    assert recent.signatures.held().count() == 4


def test_two_runs_at_once_erase_each_signature_once(run_tasks):
    petition = closed("old", days_ago=400)
    add_signers(petition, n=12, prefix="more")
    petition.signatures.filter(pk__in=petition.signatures.values("pk")[:5]).erase()
    tasks.erase_petition_signer_data.enqueue(petition.pk)
    tasks.erase_petition_signer_data.enqueue(petition.pk)  # two workers, one petition
    run_tasks()
    assert not petition.signatures.held().exists()
    erased = sum(e.detail["erased"] for e in AuditEntry.objects.filter(action="signer_data.erased"))
    assert erased == 16 - 5
    assert petition.signature_count() == 16


def test_the_batches_cover_more_than_one_batch(monkeypatch):
    monkeypatch.setattr(services, "ERASE_BATCH", 3)
    petition = closed("old", days_ago=400)
    add_signers(petition, n=10, prefix="many")
    assert services.erase_expired_petition(petition.pk) == 14
    assert not petition.signatures.held().exists()


def test_closing_starts_the_clock_and_reopening_stops_it(settings):
    settings.RETENTION_DAYS = 30
    petition = make_petition(state=State.OPEN)
    assert petition.closed_at is None and petition.signer_data_erase_at() is None
    petition = close_action(petition, None)
    assert petition.closed_at is not None
    assert petition.signer_data_erase_at() == petition.closed_at + timedelta(days=30)
    petition = reopen_action(petition, None)
    assert petition.closed_at is None

    # a closing date counts as a closing, the earlier of the two wins
    petition.closes_at = timezone.now() + timedelta(days=3)
    petition.save()
    assert petition.signer_data_erase_at() == petition.closes_at + timedelta(days=30)
    assert not petition.signer_data_expired(timezone.now() + timedelta(days=32))
    assert petition.signer_data_expired(timezone.now() + timedelta(days=34))


def test_a_closing_date_is_written_as_the_close_by_the_daily_task(run_tasks, settings):
    settings.RETENTION_DAYS = 0
    petition = make_petition(state=State.OPEN)
    add_signers(petition)
    ended = timezone.now() - timedelta(hours=1)
    Petition.objects.filter(pk=petition.pk).update(closes_at=ended)
    call_command("housekeeping", verbosity=0)
    run_tasks()
    petition.refresh_from_db()
    assert petition.state == State.CLOSED and petition.closed_at == ended
    entry = AuditEntry.objects.get(action="petition.closed")
    assert entry.username == "system" and entry.object_id == str(petition.pk)
    assert not petition.signatures.held().exists()  # retention 0: erased at once


def test_staff_see_when_signer_data_goes(admin_client, settings, run_tasks):
    settings.RETENTION_DAYS = 180
    recent = closed("recent", days_ago=10)
    old = closed("old", days_ago=200)
    page = admin_client.get(f"/admin/petitions/petition/{recent.pk}/change/").content.decode()
    due = (recent.closed_at + timedelta(days=180)).strftime("%B")
    assert "Signer data will be erased on" in page and due in page and "(4 signatures)" in page
    assert "Signers&#x27; data" in page and 'name="retention_days"' in page

    page = admin_client.get(f"/admin/petitions/petition/{old.pk}/change/").content.decode()
    assert "due for erasure" in page
    tasks.erase_expired_signer_data.enqueue()
    run_tasks()
    page = admin_client.get(f"/admin/petitions/petition/{old.pk}/change/").content.decode()
    assert "Signer names and emails were erased on" in page

    open_one = make_petition("still-open")
    page = admin_client.get(f"/admin/petitions/petition/{open_one.pk}/change/").content.decode()
    assert "Kept while the petition is open, then 180 days after it closes" in page


def test_staff_close_action_starts_the_clock(admin_client):
    petition = make_petition(state=State.OPEN)
    admin_client.post(
        "/admin/petitions/petition/",
        {"action": "close_selected", "_selected_action": [petition.pk]},
    )
    petition.refresh_from_db()
    assert petition.state == State.CLOSED and petition.closed_at is not None


def test_housekeeping_forgets_old_day_keys(run_tasks):
    today = timezone.now().date()
    for days in (0, 1, 2, 3, 10):
        DailyKey.objects.create(day=today - timedelta(days=days))
    call_command("housekeeping", verbosity=0)
    run_tasks()
    assert sorted((today - k.day).days for k in DailyKey.objects.all()) == [0, 1, 2]


def test_erasing_keeps_the_day_not_the_time(settings):
    petition = make_petition()
    add_signers(petition, n=1)
    signature = petition.signatures.get()
    Signature.objects.filter(pk=signature.pk).update(
        created_at=timezone.now().replace(hour=14, minute=3, second=22)
    )
    assert signature.erase() is True
    assert (signature.created_at.hour, signature.created_at.minute) == (0, 0)
    assert signature.created_at.date() == timezone.now().date()
    assert signature.erase() is False  # twice is harmless
