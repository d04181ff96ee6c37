"""A target's response, emailed to the petition's opted-in signers as an update: written from
the response in each language, previewed and tested like any update, sent over a real SMTP
conversation, each person once in their language with their unsubscribe link."""

import datetime

import pytest

from undersigned.audit.models import AuditEntry
from undersigned.delivery.models import TargetResponse, TargetResponseText
from undersigned.subscribers.models import Recipient, Update

from .delivery_fixtures import closed_petition
from .personas import make_other_organiser, member
from .test_delivery_responses import deliver

pytestmark = pytest.mark.django_db


def record_response(delivery) -> TargetResponse:
    response = TargetResponse.objects.create(
        delivery=delivery,
        responder="The UN Secretary-General's office",
        responded_on=datetime.date(2025, 5, 10),
        method="letter",
    )
    TargetResponseText.objects.create(
        response=response, language="en", summary="The office **promised** to act."
    )
    TargetResponseText.objects.create(
        response=response, language="ar", summary="وعد المكتب **بالتحرك**."
    )
    return response


def overview_url(petition) -> str:
    return f"/admin/delivery/petitionaction/{petition.pk}/change/"


def from_response_url(response) -> str:
    return f"/admin/subscribers/update/from-response/{response.pk}/"


def test_email_a_response_to_the_opted_in_signers_once_each_in_their_language(
    client, smtp_server, run_tasks
):
    petition = closed_petition()
    answer = record_response(deliver(client, petition))
    campaigner = member("campaigner", "campaigner")
    client.force_login(campaigner)
    overview = client.get(overview_url(petition)).content.decode()
    assert "Email it to the signers who asked for updates" in overview

    made = client.post(from_response_url(answer))
    update = Update.objects.get()
    assert made["Location"] == f"/admin/subscribers/update/{update.pk}/change/"
    assert (update.audience, update.petition, update.response) == ("signers", petition, answer)
    assert update.status == Update.Status.DRAFT  # staff check it before it goes
    english, arabic = update.text_in("en"), update.text_in("ar")
    assert english.subject == (
        "The UN Secretary-General's office answered our petition “Free the detained”"
    )
    assert "The office **promised** to act." in english.body
    assert "http://127.0.0.1:8000/en/petitions/free-the-detained/#response" in english.body
    assert "الحرية للمعتقلين" in arabic.subject and "وعد المكتب" in arabic.body
    assert "/ar/petitions/free-the-detained/#response" in arabic.body
    assert AuditEntry.objects.filter(action="update.drafted").count() == 1

    again = client.post(from_response_url(answer))  # a second press makes no second update
    assert again["Location"] == made["Location"] and Update.objects.count() == 1
    overview = client.get(overview_url(petition)).content.decode()
    assert "The update to the signers about this response: Draft" in overview

    page = client.get(made["Location"]).content.decode()
    assert "It will go to 3 people." in page  # confirmed and opted in; not the pending one
    preview = client.get(f"/admin/subscribers/update/{update.pk}/preview/ar/")
    assert "وعد المكتب" in preview.content.decode()
    client.post(f"/admin/subscribers/update/{update.pk}/send/")
    run_tasks()

    update.refresh_from_db()
    assert update.status == Update.Status.SENT
    sent = {message["to"][0]: message["message"] for message in smtp_server.messages}
    assert set(sent) == {"signer0@example.org", "signer1@example.org", "signer4@example.org"}
    # Omar signed in Arabic; the apostrophe is not HTML-escaped in a subject
    assert sent["signer1@example.org"]["Subject"].strip() == (
        "ردّ The UN Secretary-General's office على عريضتنا «الحرية للمعتقلين»"
    )
    assert "Free the detained" in sent["signer0@example.org"]["Subject"]
    for message in sent.values():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/unsubscribe/" in message["List-Unsubscribe"]
    assert smtp_server.connections == 1  # one batch, one connection
    assert Recipient.objects.filter(update=update, status="sent").count() == 3

    client.post(f"/admin/subscribers/update/{update.pk}/send/")  # sent once only
    run_tasks()
    assert len(smtp_server.messages) == 3


def test_only_the_petitions_own_staff_who_may_write_updates_can_email_a_response(client):
    petition = closed_petition()
    answer = record_response(deliver(client, petition))

    client.force_login(member("other", "campaigner", organisation=make_other_organiser()))
    assert client.post(from_response_url(answer)).status_code == 404
    client.force_login(member("viewer", "viewer"))
    assert client.post(from_response_url(answer)).status_code == 403
    assert "Email it to the signers" not in client.get(overview_url(petition)).content.decode()
    client.force_login(member("campaigner", "campaigner"))
    assert client.get(from_response_url(answer)).status_code == 405  # a POST only
    assert client.post("/admin/subscribers/update/from-response/999999/").status_code == 404
    assert not Update.objects.exists()
    client.logout()
    assert client.post(from_response_url(answer)).status_code == 302  # to the login page
    assert not Update.objects.exists()
