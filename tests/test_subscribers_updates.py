"""Staff write an update, preview it, test it, and send it to subscribers or to a petition's
opted-in signers: each person once, in their language, over one connection per batch,
resumable, with progress and a final tally."""

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from undersigned.audit.models import AuditEntry
from undersigned.emails.models import SentEmail
from undersigned.protection.crypto import email_digest
from undersigned.subscribers.models import Recipient, Subscription, Update
from undersigned.subscribers.tasks import prepare_update, send_update_batch

from .conftest import SMTPCollector, free_port
from .delivery_fixtures import add_signatures
from .factories import make_organiser, make_petition
from .personas import make_other_organiser, member

pytestmark = pytest.mark.django_db


def subscribe(address, language="en", status=Subscription.Status.CONFIRMED, organisation=None):
    return Subscription.objects.create(
        organisation=organisation or make_organiser(),
        email=address,
        email_digest=email_digest(address),
        name=address.split("@")[0].title(),
        language=language,
        status=status,
        consent_text="Send me news",
        consent_version="test",
    )


def update_form(organisation, **overrides) -> dict:
    data = {
        "organisation": organisation.pk,
        "audience": "subscribers",
        "petition": "",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "0",
        "texts-0-language": "en",
        "texts-0-subject": "The UN answered",
        "texts-0-body": "The office **promised** to act.",
        "texts-1-language": "ar",
        "texts-1-subject": "ردّت الأمم المتحدة",
        "texts-1-body": "وعد المكتب **بالتحرك**.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def campaigner(client):
    user = member("campaigner", "campaigner")
    user.email = "campaigner@example.org"
    user.save()
    client.force_login(user)
    return user


def write_update(client, **overrides) -> Update:
    organisation = make_organiser()
    response = client.post("/admin/subscribers/update/add/", update_form(organisation, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Update.objects.latest("pk")


def test_preview_test_send_and_send_to_each_subscriber_once_in_their_language(
    client, campaigner, smtp_server, run_tasks
):
    subscribe("amal@example.org", "en")
    subscribe("omar@example.org", "ar")
    subscribe("rana@example.org", "ar")
    subscribe("pending@example.org", status=Subscription.Status.PENDING)
    subscribe("gone@example.org", status=Subscription.Status.UNSUBSCRIBED)
    subscribe("other@example.org", organisation=make_other_organiser())
    update = write_update(client)
    page = client.get(f"/admin/subscribers/update/{update.pk}/change/").content.decode()
    assert "It will go to 3 people." in page

    english = client.get(f"/admin/subscribers/update/{update.pk}/preview/en/").content.decode()
    assert "The UN answered" in english and "&lt;strong&gt;promised&lt;/strong&gt;" in english
    arabic = client.get(f"/admin/subscribers/update/{update.pk}/preview/ar/").content.decode()
    assert "ردّت الأمم المتحدة" in arabic
    assert client.get(f"/admin/subscribers/update/{update.pk}/preview/fr/").status_code == 404

    client.post(f"/admin/subscribers/update/{update.pk}/test/", {"language": "ar"})
    run_tasks()
    assert [m["to"] for m in smtp_server.messages] == [["campaigner@example.org"]]
    assert smtp_server.messages[0]["message"]["Subject"].endswith("ردّت الأمم المتحدة")
    assert Update.objects.get().status == Update.Status.DRAFT  # a test sends nothing else

    response = client.post(f"/admin/subscribers/update/{update.pk}/send/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="update.queued").exists()
    run_tasks()
    sent = {m["to"][0]: m["message"] for m in smtp_server.messages[1:]}
    assert set(sent) == {"amal@example.org", "omar@example.org", "rana@example.org"}
    assert sent["amal@example.org"]["Subject"] == "The UN answered"
    assert sent["omar@example.org"]["Subject"] == "ردّت الأمم المتحدة"
    for message in sent.values():
        assert message["List-Unsubscribe"].strip().startswith("<http")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert smtp_server.connections == 2  # the test, then one connection for the batch
    update.refresh_from_db()
    assert update.status == Update.Status.SENT and update.finished_at is not None
    page = client.get(f"/admin/subscribers/update/{update.pk}/change/").content.decode()
    assert "Sent: 3" in page and "Refused: 0" in page

    client.post(f"/admin/subscribers/update/{update.pk}/send/")  # pressed again
    run_tasks()
    assert len(smtp_server.messages) == 4

    # the one-click link in the headers unsubscribes
    link = sent["omar@example.org"]["List-Unsubscribe"].strip().strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscription.objects.get(email_digest=email_digest("omar@example.org")).status == (
        Subscription.Status.UNSUBSCRIBED
    )


def test_a_crash_and_a_retry_send_nothing_twice(client, campaigner, smtp_server, run_tasks):
    for number in range(5):
        subscribe(f"person{number}@example.org")
    update = write_update(client)
    Update.objects.filter(pk=update.pk).update(status=Update.Status.SENDING)
    prepare_update.call(update.pk)
    prepare_update.call(update.pk)  # a worker died and the task ran again
    assert Recipient.objects.filter(update=update).count() == 5
    first, last = Recipient.objects.order_by("pk").values_list("pk", flat=True)[::4]
    smtp_server.refuse_next = 1  # "451 try again later" for the first message
    send_update_batch.call(update.pk, first, last)
    assert len(smtp_server.messages) == 4
    assert Recipient.objects.filter(status=Recipient.Status.WAITING).count() == 1
    run_tasks()  # the two batches queued by the two runs, and the retry: only one is left
    assert len(smtp_server.messages) == 5
    send_update_batch.call(update.pk, first, last)  # once more, for good measure
    assert len(smtp_server.messages) == 5
    assert sorted(m["to"][0] for m in smtp_server.messages) == [
        f"person{number}@example.org" for number in range(5)
    ]
    assert SentEmail.objects.filter(key__startswith=f"update:{update.pk}:").count() == 5
    update.refresh_from_db()
    assert update.status == Update.Status.SENT


class Picky(SMTPCollector):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if envelope.rcpt_tos == ["full@example.org"]:
            return "554 5.2.2 Mailbox full"
        return await super().handle_DATA(server, session, envelope)


def test_refused_and_bounced_addresses_are_tallied(client, campaigner, settings, run_tasks):
    collector = Picky()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    try:
        for address in ["nobody@example.org", "full@example.org", "fine@example.org"]:
            subscribe(address)
        update = write_update(client)
        client.post(f"/admin/subscribers/update/{update.pk}/send/")
        run_tasks()
    finally:
        controller.stop()
    assert [m["to"] for m in collector.messages] == [["fine@example.org"]]
    statuses = dict(
        (Recipient.objects.get(email_digest=email_digest(a)).status, a)
        for a in ["nobody@example.org", "full@example.org", "fine@example.org"]
    )
    assert statuses == {
        "refused": "nobody@example.org",
        "bounced": "full@example.org",
        "sent": "fine@example.org",
    }
    page = client.get(f"/admin/subscribers/update/{update.pk}/change/").content.decode()
    assert "Sent: 1" in page and "Refused: 1" in page and "Bounced: 1" in page
    assert Update.objects.get().status == Update.Status.SENT


def test_an_update_to_a_petitions_opted_in_signers(client, campaigner, smtp_server, run_tasks):
    petition = make_petition()
    add_signatures(petition)  # three confirmed signers asked for updates, one en two... see SIGNERS
    update = write_update(client, audience="signers", petition=petition.pk)
    page = client.get(f"/admin/subscribers/update/{update.pk}/change/").content.decode()
    assert "It will go to 3 people." in page
    client.post(f"/admin/subscribers/update/{update.pk}/send/")
    run_tasks()
    to = sorted(m["to"][0] for m in smtp_server.messages)
    assert to == ["signer0@example.org", "signer1@example.org", "signer4@example.org"]
    omar = next(m["message"] for m in smtp_server.messages if m["to"] == ["signer1@example.org"])
    assert omar["Subject"] == "ردّت الأمم المتحدة"
    assert "/unsubscribe/" in omar["List-Unsubscribe"]
    text = omar.get_body(("plain",)).get_content()
    assert "Omar Khalil" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"texts-0-subject": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"texts-0-body": ""}, "This field is required."),
        ({"texts-0-body": "x" * 20_001}, "Ensure this value has at most 20000 characters"),
        ({"audience": "signers"}, "Choose the petition whose signers get it."),
        ({"audience": "everyone"}, "Select a valid choice."),
        ({"texts-1-language": "en"}, "Please correct the duplicate"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, campaigner, overrides, message):
    organisation = make_organiser()
    response = client.post("/admin/subscribers/update/add/", update_form(organisation, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Update.objects.exists()


def test_another_organisations_petition_is_not_a_choice(client, campaigner):
    other = make_petition("other-petition", organiser=make_other_organiser())
    organisation = make_organiser()
    response = client.post(
        "/admin/subscribers/update/add/",
        update_form(organisation, audience="signers", petition=other.pk),
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Update.objects.exists()


def test_a_sent_update_can_no_longer_be_changed(client, campaigner, run_tasks):
    update = write_update(client)
    client.post(f"/admin/subscribers/update/{update.pk}/send/")
    run_tasks()
    response = client.post(
        f"/admin/subscribers/update/{update.pk}/change/", update_form(make_organiser())
    )
    assert response.status_code == 403
    assert Update.objects.get().finished_at <= timezone.now()
