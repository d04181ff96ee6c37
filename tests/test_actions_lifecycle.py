"""One lifecycle for every action: open, close, reopen, deliver; each audited, each
clearing the caches on commit, each driven here over HTTP as staff would."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from undersigned.actions import lifecycle
from undersigned.audit.models import AuditEntry
from undersigned.letters.models import Letter
from undersigned.pages import confirmations
from undersigned.petitions.models import Petition, Signature, State

from .delivery_fixtures import add_signatures
from .factories import make_petition, signer
from .letters_fixtures import make_letter
from .test_delivery_record import form as delivery_form

pytestmark = pytest.mark.django_db

PAGE = "/en/petitions/a-open/"
PETITIONS = "/admin/petitions/petition/"


def bulk(client, url, action, *objects):
    return client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objects], "index": 0}
    )


def warm_caches(client, email="first@example.org"):
    """A visitor reads the page and a signer signs: the page, the petition a signer needs
    and the count are now in the caches."""
    assert 'name="email"' in client.get(PAGE).content.decode()
    assert client.post(PAGE, signer(email=email)).status_code == 302


def test_a_bulk_close_stops_signing_at_once(client, world, django_capture_on_commit_callbacks):
    petition = world.a.open_petition
    warm_caches(client)
    client.force_login(world.personas.campaigner_a)
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit
        response = bulk(client, PETITIONS, "close_selected", petition)
    assert response.status_code == 302
    client.logout()

    assert 'name="email"' not in client.get(PAGE).content.decode()
    rows = Signature.objects.filter(petition=petition).count()
    refused = client.post(PAGE, signer(email="late@example.org"))
    assert refused.status_code == 403
    assert Signature.objects.filter(petition=petition).count() == rows
    entry = AuditEntry.objects.get(action="petition.closed")
    assert (entry.username, entry.object_id, entry.organisation) == (
        "campaigner_a",
        str(petition.pk),
        world.personas.organisation_a,
    )
    petition.refresh_from_db()
    assert petition.state == State.CLOSED and petition.closed_at is not None


@pytest.mark.parametrize("double_opt_in", [True, False])
def test_a_close_committed_elsewhere_is_refused_even_from_stale_caches(
    client, world, double_opt_in
):
    """Another app server closed the petition; this one still holds it as open in its
    caches. The signature insert itself checks the petition."""
    petition = world.a.open_petition
    Petition.objects.filter(pk=petition.pk).update(double_opt_in=double_opt_in)
    lifecycle_free_close = Petition.objects.filter(pk=petition.pk)
    warm_caches(client)
    petition.forget_cached_count()
    count = Petition.objects.get(pk=petition.pk).signature_count()
    lifecycle_free_close.update(state=State.CLOSED)  # no cache is told
    response = client.post(PAGE, signer(email="after@example.org"))
    assert response.status_code == 403
    assert Signature.objects.filter(petition=petition).count() == 1
    petition.forget_cached_count()
    assert Petition.objects.get(pk=petition.pk).signature_count() == count


def test_reopening_after_retention_erasure_erases_later_signers_too(
    client, world, settings, run_tasks
):
    settings.RETENTION_DAYS = 30
    petition = world.a.closed_petition
    Petition.objects.filter(pk=petition.pk).update(
        closed_at=timezone.now() - timedelta(days=40),
        closes_at=timezone.now() - timedelta(days=40),
    )
    call_command("housekeeping", verbosity=0)
    run_tasks()
    petition.refresh_from_db()
    assert petition.signer_data_erased_at is not None

    client.force_login(world.personas.campaigner_a)
    assert bulk(client, PETITIONS, "reopen_selected", petition).status_code == 302
    petition.refresh_from_db()
    assert petition.state == State.OPEN
    assert petition.signer_data_erased_at is None and petition.closed_at is None
    assert petition.closes_at is None  # a closing date already past would close it again
    assert AuditEntry.objects.filter(action="petition.reopened").count() == 1

    client.logout()
    url = f"/en/petitions/{petition.slug}/"
    assert client.post(url, signer(email="new@example.org")).status_code == 302
    close = lifecycle.close_action(Petition.objects.get(pk=petition.pk), None)
    Petition.objects.filter(pk=close.pk).update(closed_at=timezone.now() - timedelta(days=31))
    call_command("housekeeping", verbosity=0)
    run_tasks()
    assert not Signature.objects.filter(petition=petition).held().exists()


def test_opening_a_draft_publishes_it_on_the_record(client, world):
    draft = make_petition("a-draft", state=State.DRAFT, organiser=world.personas.organisation_a)
    assert client.get("/en/petitions/a-draft/").status_code == 404
    client.force_login(world.personas.campaigner_a)
    assert bulk(client, PETITIONS, "open_selected", draft).status_code == 302
    client.logout()
    assert 'name="email"' in client.get("/en/petitions/a-draft/").content.decode()
    assert AuditEntry.objects.get(action="petition.opened").detail == {"previous_state": "draft"}


def test_a_move_the_state_does_not_allow_is_refused_and_changes_nothing(client, world):
    draft = make_petition("a-draft", state=State.DRAFT, organiser=world.personas.organisation_a)
    client.force_login(world.personas.campaigner_a)
    response = bulk(client, PETITIONS, "close_selected", draft)
    assert response.status_code == 302
    page = client.get(PETITIONS).content.decode()
    assert "Only an open action can be closed." in page
    assert Petition.objects.get(pk=draft.pk).state == State.DRAFT
    assert not AuditEntry.objects.filter(action__startswith="petition.").exists()


def test_the_state_cannot_be_written_through_the_change_form(client, world):
    petition = world.a.open_petition
    client.force_login(world.personas.campaigner_a)
    page = client.get(f"{PETITIONS}{petition.pk}/change/").content.decode()
    assert 'name="state"' not in page


def test_closing_a_letter_closes_its_translation(client, world):
    letter = make_letter("a-letter", organiser=world.personas.organisation_a)
    client.force_login(world.personas.campaigner_a)
    response = bulk(client, "/admin/letters/letter/", "close_selected", letter)
    assert response.status_code == 302
    assert set(Letter.objects.filter(slug__startswith="a-letter").values_list("state")) == {
        (State.CLOSED,)
    }
    client.logout()
    endorse = client.get("/ar/letters/a-letter-ar/endorse/").content.decode()
    assert "لم تعد هذه الرسالة تقبل توقيعات جديدة" in endorse
    assert AuditEntry.objects.get(action="letter.closed").object_id == str(letter.pk)


def test_recording_a_delivery_goes_through_the_lifecycle(client, world):
    petition = world.a.closed_petition
    client.force_login(world.personas.campaigner_a)
    url = f"/admin/delivery/petitionaction/{petition.pk}/deliver/"
    assert client.post(url, delivery_form(**{"photos-TOTAL_FORMS": "0"})).status_code == 302
    assert Petition.objects.get(pk=petition.pk).state == State.DELIVERED
    codes = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert codes[-2:] == ["petition.delivered", "delivery.recorded"]
    # correcting the delivery keeps it delivered, with no second state change
    assert client.post(url, delivery_form(**{"photos-TOTAL_FORMS": "0"})).status_code == 302
    assert AuditEntry.objects.filter(action="petition.delivered").count() == 1
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.reopen_action(Petition.objects.get(pk=petition.pk), None)


def test_a_late_confirmation_counts_until_the_petition_is_delivered(client, world):
    """The rule of docs/petitions.md: signed while open, confirmed after the close, it
    counts; once delivered, the count handed over is final."""
    petition = world.a.closed_petition
    rows = [(f"Late {n}", "SY", "pending", "", "en", False, timezone.now()) for n in (1, 2)]
    first, second = add_signatures(petition, rows=rows, prefix="late")
    count = petition.signature_count()

    def confirm(signature):
        token = confirmations.make_token("signature", signature.pk)
        return client.post(f"/en/confirm/{token}/")

    assert confirm(first)["Location"].endswith("/thanks/?confirmed=1")
    petition.forget_cached_count()
    assert petition.signature_count() == count + 1

    lifecycle.mark_delivered(petition, world.personas.campaigner_a)
    response = confirm(second)
    assert response["Location"] == f"/en/petitions/{petition.slug}/"
    second.refresh_from_db()
    assert second.status == Signature.Status.PENDING
    petition.forget_cached_count()
    assert petition.signature_count() == count + 1


def test_scheduled_closing_is_audited_as_the_system(world):
    petition = world.a.open_petition
    ended = timezone.now() - timedelta(minutes=5)
    Petition.objects.filter(pk=petition.pk).update(closes_at=ended)
    assert lifecycle.close_due_actions() == 1
    petition.refresh_from_db()
    assert (petition.state, petition.closed_at) == (State.CLOSED, ended)
    assert AuditEntry.objects.get(action="petition.closed").username == "system"
    assert lifecycle.close_due_actions() == 0


def test_exporting_endorsement_contacts_is_audited(client, world):
    client.force_login(world.personas.data_officer_a)
    letter = world.a.letter
    response = client.get(f"/admin/letters/letter/{letter.pk}/export/")
    assert "contact@a.example.org" in response.content.decode("utf-8-sig")
    entry = AuditEntry.objects.get(action="endorsement_contacts.exported")
    assert (entry.username, entry.object_id, entry.detail) == (
        "data_officer_a",
        str(letter.pk),
        {"rows": 2},
    )


def test_a_recount_is_audited_with_the_count_before_and_after(client, world):
    petition = world.a.closed_petition
    petition.shards.update(count=99)  # a counter gone wrong
    petition.forget_cached_count()
    client.force_login(world.personas.campaigner_a)
    bulk(client, PETITIONS, "recount", petition)
    entry = AuditEntry.objects.get(action="petition.recounted")
    assert entry.detail == {"shown": 99, "counted": 1}
