"""The update email: over real SMTP, to opted-in signers only, once each, with a working
one-click unsubscribe."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from undersigned.audit.models import AuditEntry
from undersigned.delivery import tasks
from undersigned.delivery.models import UpdateEmail
from undersigned.delivery.tokens import make_token
from undersigned.petitions.models import Signature

from .delivery_fixtures import add_signatures, closed_petition, staff_member
from .factories import make_petition

pytestmark = pytest.mark.django_db

DELIVERY = {
    "delivered_on": "2025-04-02",
    "method": "post",
    "recipients_en": "the UN Secretary-General",
    "note_en": "Our letter and your signatures arrived in New York.",
    "recipients_ar": "الأمين العام للأمم المتحدة",
    "note_ar": "وصلت رسالتنا وتواقيعكم إلى نيويورك.",
    "photos-TOTAL_FORMS": "0",
    "photos-INITIAL_FORMS": "0",
}


def deliver(admin_client, petition, send=True):
    data = {**DELIVERY, **({"send_updates": "on"} if send else {})}
    response = admin_client.post(f"/admin/delivery/petitionaction/{petition.pk}/deliver/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def unsubscribe_link(text: str) -> str:
    return re.search(r"http://[^\s]+/unsubscribe/[^\s]+/", text).group(0)


def test_update_goes_to_opted_in_signers_once_each(admin_client, smtp_server, run_tasks):
    petition = closed_petition()
    deliver(admin_client, petition)
    run_tasks()
    # Opted in and confirmed: signer0 (en), signer1 (ar), signer4 (en). Not the pending signer5.
    recipients = sorted(message["to"][0] for message in smtp_server.messages)
    assert recipients == ["signer0@example.org", "signer1@example.org", "signer4@example.org"]
    assert UpdateEmail.objects.filter(sent_at__isnull=False).count() == 3
    assert AuditEntry.objects.filter(action="update_email.queued").count() == 1

    # The task runs again (a retry, or a second worker): nobody gets a second email.
    tasks.queue_update_emails.enqueue(petition.delivery.pk)
    run_tasks()
    assert len(smtp_server.messages) == 3


def test_the_email_in_the_signers_language_with_unsubscribe_headers(
    admin_client, smtp_server, run_tasks
):
    petition = closed_petition()
    deliver(admin_client, petition)
    run_tasks()
    by_address = {m["to"][0]: i for i, m in enumerate(smtp_server.messages)}

    english = smtp_server.messages[by_address["signer0@example.org"]]["message"]
    text, html = smtp_server.bodies(by_address["signer0@example.org"])
    assert english["Subject"] == "Delivered: Free the detained"
    assert "Hello Amal Haddad," in text
    assert "On 2 April 2025, “Free the detained” was delivered to the UN Secretary-General." in text
    assert "Our letter and your signatures arrived in New York." in text
    link = unsubscribe_link(text)
    assert english["List-Unsubscribe"].strip() == f"<{link}>"  # long headers may be folded
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in html and "/en/unsubscribe/" in link

    arabic = smtp_server.messages[by_address["signer1@example.org"]]["message"]
    text, html = smtp_server.bodies(by_address["signer1@example.org"])
    assert "الحرية للمعتقلين" in arabic["Subject"]
    assert "وصلت رسالتنا وتواقيعكم إلى نيويورك." in text
    assert 'dir="rtl"' in html
    assert "/ar/unsubscribe/" in unsubscribe_link(text)


def test_unsubscribe_page_asks_then_unsubscribes(admin_client, smtp_server, run_tasks):
    petition = closed_petition()
    deliver(admin_client, petition)
    run_tasks()
    index = next(
        i for i, m in enumerate(smtp_server.messages) if m["to"] == ["signer0@example.org"]
    )
    link = unsubscribe_link(smtp_server.bodies(index)[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/{path}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop update emails?" in html and '<button type="submit">Unsubscribe</button>' in html
    assert Signature.objects.get(email_digest=signature_digest(0)).opt_in  # GET changes nothing

    assert browser.post(f"/{path}").status_code == 403  # a plain POST needs its CSRF token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    done = browser.post(f"/{path}", {"csrfmiddlewaretoken": token})
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert not Signature.objects.get(email_digest=signature_digest(0)).opt_in


def test_one_click_unsubscribe_needs_no_csrf_token(client):
    petition = closed_petition()
    signature = Signature.objects.get(petition=petition, email_digest=signature_digest(1))
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        f"/en/unsubscribe/{make_token(signature.pk)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    signature.refresh_from_db()
    assert not signature.opt_in


def test_unsubscribing_covers_the_same_organiser_only(client):
    from undersigned.organisations.models import Organisation

    first = closed_petition()
    other_organiser = Organisation.objects.create(slug="elsewhere", name="Elsewhere")
    second = make_petition("second")
    second.organiser = other_organiser
    second.save()
    third = make_petition("third")
    add_signatures(second)
    add_signatures(third)
    signature = Signature.objects.get(petition=first, email_digest=signature_digest(0))
    Client().post(
        f"/ar/unsubscribe/{make_token(signature.pk)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    opted_in = dict(
        Signature.objects.filter(email_digest=signature_digest(0)).values_list(
            "petition__slug", "opt_in"
        )
    )
    assert opted_in == {"free-the-detained": False, "third": False, "second": True}


def test_forged_and_foreign_tokens_are_refused(client):
    from django.core import signing

    closed_petition()
    pk = Signature.objects.first().pk
    assert client.get("/en/unsubscribe/not-a-token/").status_code == 404
    other_salt = signing.dumps(pk, salt="undersigned.confirm")
    assert client.post(f"/en/unsubscribe/{other_salt}/").status_code == 404
    assert Signature.objects.get(pk=pk).opt_in


def test_updates_can_be_sent_later_once(admin_client, smtp_server, run_tasks):
    petition = closed_petition()
    deliver(admin_client, petition, send=False)
    run_tasks()
    assert smtp_server.messages == []
    url = f"/admin/delivery/petitionaction/{petition.pk}/updates/"
    admin_client.post(url)
    admin_client.post(url)
    run_tasks()
    assert len(smtp_server.messages) == 3


def test_updates_need_their_permission(client):
    petition = closed_petition()
    user = staff_member(
        permissions=[
            "petitions.view_petition",
            "petitions.change_petition",
            "delivery.add_delivery",
            "delivery.change_delivery",
        ]
    )
    client.force_login(user)
    page = client.get(f"/admin/delivery/petitionaction/{petition.pk}/deliver/").content.decode()
    assert "send_updates" not in page
    client.post(
        f"/admin/delivery/petitionaction/{petition.pk}/deliver/", {**DELIVERY, "send_updates": "on"}
    )
    assert petition.delivery.updates_queued_at is None
    assert client.post(f"/admin/delivery/petitionaction/{petition.pk}/updates/").status_code == 403


def test_batches_split_by_primary_key_range(admin_client, smtp_server, run_tasks, monkeypatch):
    monkeypatch.setattr(tasks, "UPDATE_BATCH_SIZE", 2)
    petition = closed_petition()
    deliver(admin_client, petition)
    assert tasks.queue_update_emails.call(petition.delivery.pk) == 2  # 3 recipients, 2 a batch
    run_tasks()
    assert len(smtp_server.messages) == 3


def test_a_refusing_mail_server_means_a_later_retry(admin_client, smtp_server, run_tasks, settings):
    from django_tasks_db.models import DBTaskResult

    petition = closed_petition()
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there: connection refused
    deliver(admin_client, petition)
    run_tasks()
    assert not UpdateEmail.objects.exists()  # the claim of the unsent email is released
    retry = DBTaskResult.objects.get(status="READY", task_path__endswith="send_update_batch")
    assert retry.args_kwargs["kwargs"] == {"attempt": 1}
    assert retry.run_after > timezone.now()  # later, not now

    settings.EMAIL_PORT = port
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_tasks()
    assert len(smtp_server.messages) == 3


def signature_digest(number: int) -> str:
    from undersigned.protection.crypto import email_digest

    return email_digest(f"signer{number}@example.org")
