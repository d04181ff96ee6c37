"""Signed webhooks against a real local HTTP receiver that checks each signature as a
partner would, and that fails or hangs on purpose."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from undersigned.actions.lifecycle import close_action
from undersigned.api.models import WebhookDelivery, WebhookEndpoint
from undersigned.api.webhooks import new_secret
from undersigned.petitions.models import Signature
from undersigned.petitions.services import sign_petition
from undersigned.protection.crypto import email_digest
from undersigned.supporters.services import erase_signer

from .conftest import free_port
from .factories import make_organiser, make_petition, signer
from .personas import member

pytestmark = pytest.mark.django_db


class Receiver:
    """A partner's endpoint: verifies the Standard Webhooks signature of each request."""

    def __init__(self):
        self.secret = new_secret()
        self.mode = "ok"
        self.received: list[dict] = []
        self.rejected = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.mode == "slow":  # answers long after the sender gave up
                    time.sleep(3)
                    self.answer(504)
                    return
                if receiver.mode == "fail":
                    self.answer(500)
                    return
                if not receiver.verify(self.headers, body):
                    receiver.rejected += 1
                    self.answer(400)
                    return
                receiver.received.append({"id": self.headers["webhook-id"], **json.loads(body)})
                self.answer(204)

            def answer(self, status):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def verify(self, headers, body: bytes) -> bool:
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
        offered = [part.split(",", 1)[1] for part in headers["webhook-signature"].split()]
        return fresh and any(hmac.compare_digest(expected, sig) for sig in offered)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_RETRY_SECONDS = [0, 0]
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on 127.0.0.1
    receiver = Receiver()
    yield receiver
    receiver.stop()


def endpoint_for(organisation, receiver, events, personal=False):
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        name="CRM",
        url=receiver.url,
        events=events,
        personal_data=personal,
        secret=receiver.secret,
    )


def test_a_confirmed_signature_is_delivered_signed(receiver, run_tasks):
    organiser = make_organiser()
    petition = make_petition(double_opt_in=False, organiser=organiser)
    endpoint_for(organiser, receiver, ["signature.confirmed"])
    sign_petition(petition, **signer(), opt_in=True, language="en")
    run_tasks()
    (event,) = receiver.received
    assert receiver.rejected == 0
    assert event["type"] == "signature.confirmed"
    assert event["data"]["petition"] == "free-the-detained"
    assert event["data"]["signature"] == Signature.objects.get().pk
    assert "email" not in event["data"] and "name" not in event["data"]  # not marked for it
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert event["id"] == delivery.message_id


def test_personal_data_only_to_an_endpoint_marked_for_it(receiver, run_tasks):
    organiser = make_organiser()
    petition = make_petition(organiser=organiser)  # double opt-in: counted on confirming
    endpoint_for(organiser, receiver, ["signature.confirmed", "signature.erased"], personal=True)
    sign_petition(petition, **signer(), opt_in=True, language="en")
    signature = Signature.objects.get()
    signature.confirm()
    run_tasks()
    confirmed = receiver.received[-1]["data"]
    assert confirmed["email"] == "amal@example.org" and confirmed["name"] == "Amal Haddad"
    assert confirmed["consent_version"]
    erase_signer(signature.email_digest)
    run_tasks()
    erased = receiver.received[-1]
    assert erased["type"] == "signature.erased"
    assert erased["data"] == {
        "signature": signature.pk,
        "petition": "free-the-detained",
        "country": "LB",
        "erased": True,
    }


def test_a_signer_counted_only_is_sent_without_a_name(receiver, run_tasks):
    organiser = make_organiser()
    petition = make_petition(double_opt_in=False, organiser=organiser)
    endpoint_for(organiser, receiver, ["signature.confirmed"], personal=True)
    sign_petition(petition, **signer(), opt_in=True, language="en", visibility="count")
    run_tasks()
    (event,) = receiver.received
    assert "email" not in event["data"] and "name" not in event["data"]


def test_another_organisations_events_are_not_sent(receiver, run_tasks):
    ours = make_organiser()
    theirs = make_organiser("other-org", "Other", "أخرى")
    endpoint_for(ours, receiver, ["signature.confirmed", "action.closed"])
    petition = make_petition("theirs", double_opt_in=False, organiser=theirs)
    sign_petition(petition, **signer(), opt_in=False, language="en")
    close_action(petition, None)
    run_tasks()
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_closing_an_action_is_an_event(receiver, run_tasks):
    organiser = make_organiser()
    petition = make_petition(organiser=organiser)
    endpoint_for(organiser, receiver, ["action.closed"])
    close_action(petition, None)
    run_tasks()
    assert receiver.received[0]["data"] == {
        "kind": "petition",
        "slug": "free-the-detained",
        "state": "closed",
    }


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_failures_are_retried_logged_and_then_given_up(receiver, run_tasks, mode):
    organiser = make_organiser()
    petition = make_petition(double_opt_in=False, organiser=organiser)
    endpoint_for(organiser, receiver, ["signature.confirmed"])
    receiver.mode = mode
    sign_petition(petition, **signer(), opt_in=False, language="en")
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3  # once, then once per retry delay
    assert delivery.status == "failed"
    if mode == "fail":
        assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    else:
        assert delivery.last_status_code is None and "timed out" in delivery.last_error
    assert receiver.received == []


def test_a_failing_endpoint_is_paused_its_admins_told_and_resumed(
    receiver, run_tasks, settings, mailoutbox
):
    from undersigned.api.webhooks import resume
    from undersigned.staff.roles import ORGANISATION_ADMIN

    settings.WEBHOOK_PAUSE_AFTER = 2
    settings.WEBHOOK_RETRY_SECONDS = [0]
    organiser = make_organiser()
    admin = member("boss", ORGANISATION_ADMIN, organiser)
    admin.email = "boss@example.org"
    admin.save()
    petition = make_petition(double_opt_in=False, organiser=organiser)
    endpoint = endpoint_for(organiser, receiver, ["signature.confirmed"])
    receiver.mode = "fail"
    sign_petition(petition, **signer(), opt_in=False, language="en")
    run_tasks()
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None
    told = [message for message in mailoutbox if "paused" in message.subject]
    assert [message.to for message in told] == [["boss@example.org"]]
    assert receiver.url in told[0].body
    sign_petition(petition, **signer(email="second@example.org"), opt_in=False, language="en")
    run_tasks()
    assert WebhookDelivery.objects.count() == 1  # a paused endpoint gets nothing new queued
    receiver.mode = "ok"
    WebhookDelivery.objects.update(status="pending")
    assert resume(endpoint, admin)
    run_tasks()
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == "delivered"


def test_a_receiver_rejects_a_forged_signature(receiver):
    import urllib.error
    import urllib.request

    body = b'{"type": "signature.confirmed"}'
    request = urllib.request.Request(
        receiver.url,
        data=body,
        method="POST",
        headers={
            "webhook-id": "msg_x",
            "webhook-timestamp": str(int(time.time())),
            "webhook-signature": "v1," + base64.b64encode(b"forged" * 5).decode(),
        },
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=2)
    assert receiver.rejected == 1


def test_a_cohosts_endpoint_hears_only_of_signers_opted_in_to_it(receiver, run_tasks):
    from undersigned.petitions.models import CoHost

    organiser = make_organiser()
    partner = make_organiser("partner-aid", "Partner Aid", "عون الشركاء")
    petition = make_petition(organiser=organiser)  # double opt-in: told on confirming
    CoHost.objects.create(petition=petition, organisation=partner, code="partner-aid")
    endpoint_for(partner, receiver, ["signature.confirmed"], personal=True)
    sign_petition(petition, **signer(), opt_in=True, language="en", source="partner-aid")
    sign_petition(
        petition,
        **signer(name="Opted In", email="in@example.org"),
        opt_in=False,
        language="en",
        source="partner-aid",
        cohost_opt_in=True,
        cohost=partner,
    )
    for signature in Signature.objects.all():
        signature.confirm()
    run_tasks()
    (event,) = receiver.received
    assert event["data"]["name"] == "Opted In" and event["data"]["email"] == "in@example.org"
    assert "Partner Aid" in event["data"]["consent_text"] and event["data"]["opt_in"] is True


def cohosted_letter():
    from undersigned.letters.models import CoHost as LetterCoHost

    from .letters_fixtures import make_letter

    letter = make_letter()
    partner = make_organiser("partner-aid", "Partner Aid", "عون الشركاء")
    LetterCoHost.objects.create(letter=letter, organisation=partner, code="partner-aid")
    return letter, partner


def endorse_and_approve(letter, name, cohost=None):
    from undersigned.letters import services as letters

    from .letters_fixtures import details, staff_user

    found = details(name, source="partner-aid", cohost=cohost, contact_email=f"{name}@example.org")
    endorsement = letters.endorse_letter(letter, found, "en")
    letters.confirm_endorsement(endorsement.pk)
    endorsement.refresh_from_db()
    assert letters.approve(endorsement, staff_user(f"mod-{endorsement.pk}"))
    return endorsement


def test_a_letter_cohost_hears_of_approved_endorsements_opted_in_to_it_only(receiver, run_tasks):
    letter, partner = cohosted_letter()
    endpoint_for(partner, receiver, ["endorsement.approved"], personal=True)
    opted = endorse_and_approve(letter, "opted", cohost=partner)
    endorse_and_approve(letter, "unticked")  # came through the link, did not tick its line
    run_tasks()
    assert receiver.rejected == 0
    (event,) = receiver.received
    assert event["type"] == "endorsement.approved"
    assert event["data"] == {
        "endorsement": opted.pk,
        "letter": "stop-the-attacks",
        "name": "opted",
        "country": "SY",
    }


def test_a_removed_letter_cohost_hears_of_no_later_approval(receiver, run_tasks):
    from undersigned.letters.models import CoHost as LetterCoHost

    letter, partner = cohosted_letter()
    endpoint_for(partner, receiver, ["endorsement.approved"])
    LetterCoHost.objects.all().delete()
    endorse_and_approve(letter, "opted", cohost=partner)
    run_tasks()
    assert receiver.received == []


def test_the_organiser_hears_of_every_approved_endorsement(receiver, run_tasks):
    letter, partner = cohosted_letter()
    endpoint_for(letter.organiser, receiver, ["endorsement.approved"])
    endorse_and_approve(letter, "opted", cohost=partner)
    endorse_and_approve(letter, "unticked")
    run_tasks()
    assert sorted(event["data"]["name"] for event in receiver.received) == ["opted", "unticked"]


def test_a_removed_petition_cohost_still_hears_of_an_erasure(receiver, run_tasks):
    from undersigned.petitions.models import CoHost

    partner = make_organiser("partner-aid", "Partner Aid", "عون الشركاء")
    petition = make_petition(double_opt_in=False)
    CoHost.objects.create(petition=petition, organisation=partner, code="partner-aid")
    endpoint_for(partner, receiver, ["signature.erased"], personal=True)
    sign_petition(
        petition, **signer(), opt_in=False, language="en", source="partner-aid",
        cohost_opt_in=True, cohost=partner,
    )  # fmt: skip
    sign_petition(
        petition, **signer(name="Not Opted", email="no@example.org"), opt_in=False,
        language="en", source="partner-aid",
    )  # fmt: skip
    opted = Signature.objects.get(email_digest=email_digest("amal@example.org"))
    CoHost.objects.all().delete()  # removed: it may still hold what it pulled
    erase_signer(opted.email_digest)
    erase_signer(email_digest("no@example.org"))
    run_tasks()
    (event,) = receiver.received
    assert event["type"] == "signature.erased"
    assert event["data"] == {
        "signature": opted.pk,
        "petition": "free-the-detained",
        "country": "LB",
        "erased": True,
    }
