"""Confirmations that arrive: one reminder for an unconfirmed signature, and "send the email
again" on the thank-you step, answered alike for every address. Over real SMTP and the
local outbox, driven by the real task worker."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from undersigned.emails.models import OutboxMessage
from undersigned.petitions import outbox
from undersigned.petitions.models import Petition, Signature, State

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"
THANKS = URL + "thanks/"
RESEND = THANKS + "resend/"


@pytest.fixture(autouse=True)
def reminders_checked_every_poll(monkeypatch):
    monkeypatch.setattr(outbox, "REMINDER_CHECK_SECONDS", 0)
    monkeypatch.setattr(outbox, "_next_reminder_check", 0.0)


def age(hours: float) -> None:
    """Every signature was made `hours` ago."""
    Signature.objects.update(created_at=timezone.now() - timedelta(hours=hours))


def subjects(smtp_server) -> list[str]:
    return [message["message"]["Subject"] for message in smtp_server.messages]


def test_one_reminder_after_a_day_and_it_confirms(client, smtp_server, run_tasks):
    make_petition()
    client.post(URL, signer())
    run_tasks()
    assert subjects(smtp_server) == ["Please confirm your signature: Free the detained"]

    age(23)
    run_tasks()
    assert len(smtp_server.messages) == 1  # not yet a day

    age(25)
    run_tasks()
    assert subjects(smtp_server)[1] == "Reminder: please confirm your signature: Free the detained"
    assert smtp_server.messages[1]["to"] == ["amal@example.org"]
    text, html = smtp_server.bodies(1)
    assert "Hello Amal Haddad" in text and "does not count yet" in text
    expires = (timezone.now() - timedelta(hours=25) + timedelta(days=7)).strftime("%-d %B %Y")
    assert f"If it is not confirmed by {expires}" in text
    assert "/en/confirm/" in html

    age(48)
    run_tasks()
    age(6 * 24)
    run_tasks()
    assert len(smtp_server.messages) == 2  # at most one reminder

    link = re.search(r"http://\S+/confirm/\S+/", text).group(0).replace("http://127.0.0.1:8000", "")
    assert client.get(link).status_code == 200  # a scanner opening it confirms nothing
    assert Signature.objects.get().status == Signature.Status.PENDING
    client.post(link)
    assert Signature.objects.get().status == Signature.Status.CONFIRMED


def test_after_its_one_reminder_an_unconfirmed_signature_expires(
    client, smtp_server, run_tasks, settings
):
    settings.CONFIRMATION_REMINDER_HOURS = 48
    petition = make_petition()
    client.post(URL, signer())
    run_tasks()
    age(47)
    run_tasks()
    assert len(smtp_server.messages) == 1  # not before the configured delay
    age(49)
    run_tasks()
    assert len(subjects(smtp_server)) == 2 and subjects(smtp_server)[1].startswith("Reminder")
    text, _html = smtp_server.bodies(1)
    link = re.search(r"http://\S+/confirm/\S+/", text).group(0).replace("http://127.0.0.1:8000", "")

    age(7 * 24 + 1)  # past the date the reminder gave; its link is younger than that
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 404
        assert "This link no longer works" in response.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING
    assert Petition.objects.get(pk=petition.pk).signature_count() == 0
    Signature.objects.update(reminded_at=timezone.now() - timedelta(days=6))
    resent = client.post(RESEND, {"email": "amal@example.org"})  # the same answer, no email
    assert "we have sent the email again" in resent.content.decode()
    run_tasks()
    assert len(smtp_server.messages) == 2

    call_command("housekeeping", verbosity=0)
    run_tasks()
    assert not Signature.objects.exists()
    assert len(smtp_server.messages) == 2  # nothing more was sent
    assert client.get(link).status_code == 404


def test_no_reminder_for_confirmed_expired_erased_or_delivered(client, smtp_server, run_tasks):
    petition = make_petition()
    for index in range(4):
        client.post(URL, signer(name=f"Signer {index}", email=f"s{index}@example.org"))
    run_tasks()
    assert len(smtp_server.messages) == 4
    age(25)
    first, second, third, _fourth = Signature.objects.order_by("pk")
    first.confirm()
    Signature.objects.filter(pk=second.pk).update(
        created_at=timezone.now() - timedelta(days=7, hours=1)
    )
    third.erase()
    run_tasks()
    assert [m["to"] for m in smtp_server.messages[4:]] == [["s3@example.org"]]

    client.post(URL, signer(name="Late Signer", email="late@example.org"))
    run_tasks()
    Petition.objects.filter(pk=petition.pk).update(state=State.DELIVERED)
    age(25)
    run_tasks()
    assert len(smtp_server.messages) == 6  # the late signer's confirmation, no reminder


def test_reminders_can_be_switched_off(client, smtp_server, run_tasks, settings):
    settings.CONFIRMATION_REMINDER_HOURS = 0
    make_petition()
    client.post(URL, signer())
    run_tasks()
    age(30)
    run_tasks()
    assert len(smtp_server.messages) == 1


def test_reminders_land_in_the_local_outbox_in_arabic(client, run_tasks, settings):
    settings.EMAIL_BACKEND = "undersigned.emails.backends.OutboxBackend"
    make_petition()
    client.post("/ar/petitions/free-the-detained/", signer(name="أمل حداد"))
    run_tasks()
    age(25)
    run_tasks()
    reminder = OutboxMessage.objects.order_by("pk").last()
    assert reminder.to == "amal@example.org"
    assert reminder.subject.startswith("تذكير")
    assert "/ar/confirm/" in reminder.text_body
    assert OutboxMessage.objects.count() == 2


# "Send the email again"


def test_resend_answers_alike_and_sends_only_to_a_pending_signer(client, smtp_server, run_tasks):
    make_petition()
    client.post(URL, signer())
    run_tasks()
    assert len(smtp_server.messages) == 1
    page = client.get(THANKS).content.decode()
    assert (
        "Still no email?" in page
        and 'action="/en/petitions/free-the-detained/thanks/resend/' in page
    )

    age(0.1)  # six minutes: the first email had its time to arrive
    answers = []
    for email in ["amal@example.org", "nobody@example.org", " AMAL@example.org "]:
        response = client.post(RESEND, {"email": email})
        assert response.status_code == 200
        html = response.content.decode()
        answers.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))
    assert answers[0] == answers[1]  # a stranger's address gets the very same page
    assert "we have sent the email again" in answers[0]
    run_tasks()
    # one email again to the signer (a second request within minutes sends nothing more)
    assert [m["to"] for m in smtp_server.messages[1:]] == [["amal@example.org"]]
    text, _html = smtp_server.bodies(1)
    assert "/en/confirm/" in text

    Signature.objects.update(reminded_at=timezone.now() - timedelta(minutes=6))
    client.post(RESEND, {"email": "amal@example.org"})
    run_tasks()
    assert len(smtp_server.messages) == 3

    age(25)  # a signer who asked already gets no automatic reminder on top
    run_tasks()
    assert len(smtp_server.messages) == 3

    Signature.objects.get().confirm()
    Signature.objects.update(reminded_at=None)
    client.post(RESEND, {"email": "amal@example.org"})
    run_tasks()
    assert len(smtp_server.messages) == 3  # confirmed: nothing to send


def test_resend_before_the_first_email_left_sends_nothing_more(client, smtp_server, run_tasks):
    make_petition()
    client.post(URL, signer())
    client.post(RESEND, {"email": "amal@example.org"})
    run_tasks()
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    "bad, error",
    [
        ("", "Please enter the address you signed with."),
        ("not-an-address", "Enter a valid email address."),
        ("x" * 300 + "@example.org", "Ensure this value has at most 254 characters"),
        ("<script>@example.org", "Enter a valid email address."),
    ],
)
def test_resend_refuses_bad_input_next_to_the_field(client, smtp_server, run_tasks, bad, error):
    make_petition()
    response = client.post(RESEND, {"email": bad})
    assert response.status_code == 400
    html = response.content.decode()
    field = html[html.index('<div class="field field--error">') :]
    assert error in field[:800]
    run_tasks()
    assert smtp_server.messages == []


def test_resend_refuses_bad_input_in_arabic(client):
    make_petition()
    response = client.post("/ar/petitions/free-the-detained/thanks/resend/", {"email": ""})
    assert response.status_code == 400
    assert "يُرجى إدخال العنوان الذي وقّعت به." in response.content.decode()


def test_resend_is_rate_limited_per_address_and_connection(client, smtp_server, run_tasks):
    make_petition()
    cache.clear()
    statuses = [client.post(RESEND, {"email": "amal@example.org"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.post(RESEND, {"email": "amal@example.org"})
    assert "Please wait a few minutes and try again." in limited.content.decode()
    assert limited["Retry-After"] == "600"
    # a stranger's address is limited exactly alike: the limit reveals nothing
    cache.clear()
    statuses = [client.post(RESEND, {"email": "who@example.org"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_resend_for_an_unknown_petition_is_404(client):
    assert (
        client.post("/en/petitions/nope/thanks/resend/", {"email": "a@example.org"}).status_code
        == 404
    )
