import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from undersigned.emails.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_outbox_backend_keeps_messages_for_staff_to_read(settings, admin_client):
    settings.EMAIL_BACKEND = "undersigned.emails.backends.OutboxBackend"
    message = EmailMultiAlternatives("Confirm", "Plain body", to=["ana@example.org"])
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.send()
    stored = OutboxMessage.objects.get()
    assert (stored.to, stored.subject, stored.text_body, stored.html_body) == (
        "ana@example.org",
        "Confirm",
        "Plain body",
        "<p>HTML body</p>",
    )
    page = admin_client.get(f"/admin/emails/outboxmessage/{stored.pk}/change/")
    assert page.status_code == 200
    assert "Plain body" in page.content.decode()
    assert "sandbox srcdoc" in page.content.decode()


def test_outbox_is_staff_only(client):
    response = client.get("/admin/emails/outboxmessage/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_smtp_fixture_is_a_real_smtp_conversation(smtp_server):
    mail.send_mail("Hello", "Body", "from@example.org", ["to@example.org"])
    assert smtp_server.messages[0]["to"] == ["to@example.org"]
    assert smtp_server.messages[0]["message"]["Subject"] == "Hello"
