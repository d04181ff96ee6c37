"""Messages of support: written on the signing form where the campaign takes them, shown
publicly only once staff approve them (first name and country only, for signers who chose a
public name), moderated per organisation, erased with the signer's data."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from undersigned.audit.models import AuditEntry
from undersigned.petitions.models import Signature, SupportMessage
from undersigned.petitions.services import sign_petition
from undersigned.supporters.services import erase_signer

from .factories import make_petition, signer
from .personas import make_other_organiser

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"
AR_URL = "/ar/petitions/free-the-detained/"
ADMIN = "/admin/petitions/supportmessage/"


def taking_messages(**fields):
    return make_petition(**{"messages_enabled": True, "double_opt_in": False, **fields})


def sign(client, url=URL, **fields):
    data = signer(visibility="public", **fields)
    return client.post(url, data)


def message_rows():
    return list(SupportMessage.objects.values_list("text", "language", "status"))


def approve_all(client, user):
    client.force_login(user)
    ids = [str(pk) for pk in SupportMessage.objects.values_list("pk", flat=True)]
    response = client.post(ADMIN, {"action": "approve_selected", "_selected_action": ids})
    assert response.status_code == 302
    client.logout()


def test_the_form_offers_a_message_only_where_the_campaign_takes_them(client):
    make_petition()
    assert 'name="message"' not in client.get(URL).content.decode()
    taking_messages(slug="with-messages")
    page = client.get("/en/petitions/with-messages/").content.decode()
    assert 'name="message"' in page and 'maxlength="500"' in page
    assert "Our team reads each message first" in page
    arabic = client.get("/ar/petitions/with-messages/").content.decode()
    assert 'name="message"' in arabic and 'dir="rtl"' in arabic


def test_signing_with_a_message_in_english_and_arabic(client):
    taking_messages()
    response = sign(client, message="  Stay strong.\r\n\r\n\r\n\r\nWe are with you.  ")
    assert response.status_code == 302
    arabic = sign(
        client,
        url=AR_URL,
        name="رنا العلي",
        email="rana@example.org",
        message="كلنا معكم حتى يعود آخر معتقل.",
    )
    assert arabic.status_code == 302
    assert sorted(message_rows()) == sorted(
        [
            ("Stay strong.\n\nWe are with you.", "en", "pending"),
            ("كلنا معكم حتى يعود آخر معتقل.", "ar", "pending"),
        ]
    )
    message = SupportMessage.objects.get(language="en")
    assert message.signature == Signature.objects.get(email_digest=message.signature.email_digest)
    # encrypted at rest: the column holds no readable word of it
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM petitions_supportmessage")
        stored = [row[0] for row in cursor.fetchall()]
    assert not any("strong" in text or "معكم" in text for text in stored)


def test_an_empty_message_writes_no_row_and_signing_stays_one_statement(client):
    taking_messages(double_opt_in=True)
    petition_page = client.get(URL)  # warm the caches the signing path reads
    assert petition_page.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert sign(client, message="   \r\n  ").status_code == 302
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(writes) == 1 and "petitions_signature" in writes[0]
    assert Signature.objects.count() == 1 and not SupportMessage.objects.exists()


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("x" * 501, "Please keep your message to 500 characters (it has 501)."),
        ("Hello\u202eevil", "Please remove invisible control characters from your message."),
        ("Hello\u200bthere", "Please remove invisible control characters from your message."),
        ("null\x00byte", "Null characters are not allowed."),
    ],
)
def test_bad_messages_are_refused_next_to_the_field_and_nothing_is_saved(client, message, error):
    taking_messages()
    response = sign(client, message=message)
    assert response.status_code == 400
    page = response.content.decode()
    assert error.replace("(", "(") in page.replace("&#x27;", "'")
    assert re.search(r'id="id_message_error"', page)
    assert not Signature.objects.exists() and not SupportMessage.objects.exists()


def test_malformed_utf8_in_a_message_changes_nothing(client):
    taking_messages()
    body = (
        b"name=Amal+Haddad&email=amal%40example.org&country=LB&visibility=public"
        b"&message=Stay+%ff%fe+strong"
    )
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Part of your message could not be read" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_too_long_message_is_refused_in_arabic(client):
    taking_messages()
    response = sign(client, url=AR_URL, message="م" * 600)
    assert response.status_code == 400
    assert "يُرجى ألا تتجاوز رسالتك 500 حرف" in response.content.decode()
    assert not Signature.objects.exists()


def test_exactly_500_characters_are_taken_counting_a_line_break_as_one(client):
    taking_messages()
    text = "a" * 249 + "\r\n" + "b" * 250
    assert sign(client, message=text).status_code == 302
    assert len(SupportMessage.objects.get().text) == 500


def test_markup_is_kept_as_text_and_shown_escaped(client, personas):
    taking_messages()
    injection = '<script>alert("x")</script><img src=x onerror=alert(1)> **bold**'
    assert sign(client, message=injection).status_code == 302
    assert SupportMessage.objects.get().text == injection
    approve_all(client, personas.campaigner_a)
    page = client.get(URL).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<strong>bold</strong>" not in page


def test_a_replayed_signing_adds_no_second_message(client):
    taking_messages()
    first = sign(client, message="First words")
    again = sign(client, message="Second words")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert message_rows() == [("First words", "en", "pending")]
    assert Signature.objects.count() == 1


def test_a_message_posted_where_the_campaign_takes_none_is_ignored(client):
    make_petition(double_opt_in=False)
    response = sign(client, message="x" * 5000)  # not even its length is an error
    assert response.status_code == 302
    assert Signature.objects.count() == 1 and not SupportMessage.objects.exists()


def test_shown_only_after_approval_with_first_name_and_country_only(client, personas):
    taking_messages()
    sign(client, name="Amal Haddad", message="Free them all.")
    page = client.get(URL).content.decode()
    assert "Free them all." not in page  # kept out of the page (and its cache) until approved
    approve_all(client, personas.campaigner_a)

    page = client.get(URL).content.decode()  # the cached copy was dropped on approval
    assert "Messages of support" in page and "Free them all." in page
    assert "Amal, Lebanon" in page
    assert "Haddad" not in page and "amal@example.org" not in page
    arabic = client.get(AR_URL).content.decode()
    assert "Free them all." in arabic and 'lang="en"' in arabic and "لبنان" in arabic
    assert AuditEntry.objects.filter(action="support_message.approved").count() == 1


def test_a_rejected_message_or_one_of_a_signer_without_a_public_name_stays_off_the_page(
    client, personas
):
    taking_messages()
    sign(client, message="Public and approved")
    client.post(
        URL,
        signer(email="target@example.org", visibility="target", message="For the target only"),
    )
    client.post(
        URL,
        signer(
            email="count@example.org", visibility="count", message="Words of a signer counted only"
        ),
    )
    sign(client, email="rejected@example.org", message="Rejected words")
    client.force_login(personas.campaigner_a)
    rejected = SupportMessage.objects.filter(signature__email_digest__isnull=False).order_by("pk")
    client.post(ADMIN, {"action": "reject_selected", "_selected_action": [rejected.last().pk]})
    others = [str(m.pk) for m in rejected[:3]]
    client.post(ADMIN, {"action": "approve_selected", "_selected_action": others})
    client.logout()
    page = client.get(URL).content.decode()
    assert "Public and approved" in page
    assert "For the target only" not in page and "Words of a signer counted only" not in page
    assert "Rejected words" not in page


def test_a_pending_signatures_message_waits_for_the_confirmation(client, personas):
    make_petition(messages_enabled=True)  # double opt-in
    sign(client, message="Waiting for my email")
    client.force_login(personas.campaigner_a)
    assert "Waiting for my email" not in client.get(ADMIN).content.decode()
    Signature.objects.get().confirm()
    assert "Waiting for my email" in client.get(ADMIN).content.decode()
    client.logout()
    assert "Waiting for my email" not in client.get(URL).content.decode()
    approve_all(client, personas.campaigner_a)
    assert "Waiting for my email" in client.get(URL).content.decode()


def test_latest_first_ten_then_more_pages_without_javascript(client, personas):
    petition = taking_messages()
    for index in range(12):  # past the burst limit of one connection: through the service
        sign_petition(
            petition,
            name="Amal Haddad",
            email=f"s{index}@example.org",
            country="LB",
            opt_in=False,
            language="en",
            visibility="public",
            message=f"Message number {index:02}",
        )
    approve_all(client, personas.campaigner_a)
    page = client.get(URL).content.decode()
    assert page.index("Message number 11") < page.index("Message number 02")
    assert "Message number 01" not in page
    assert 'href="/en/petitions/free-the-detained/messages/?page=2"' in page
    second = client.get("/en/petitions/free-the-detained/messages/?page=2").content.decode()
    assert "Message number 01" in second and "Message number 00" in second
    assert "Message number 11" not in second
    assert client.get("/en/petitions/free-the-detained/messages/?page=x").status_code == 200
    make_petition("no-messages")
    assert client.get("/en/petitions/no-messages/messages/").status_code == 404


def test_moderation_is_scoped_to_the_organisation(client, personas):
    taking_messages()
    sign(client, message="For organisation A")
    theirs = make_petition(
        "their-petition",
        organiser=make_other_organiser(),
        messages_enabled=True,
        double_opt_in=False,
    )
    client.post(
        "/en/petitions/their-petition/",
        signer(email="b@example.org", visibility="public", message="For organisation B"),
    )
    mine, other = (
        SupportMessage.objects.get(petition__slug="free-the-detained"),
        (SupportMessage.objects.get(petition=theirs)),
    )

    client.force_login(personas.campaigner_b)
    listing = client.get(ADMIN).content.decode()
    assert "For organisation B" in listing and "For organisation A" not in listing
    assert client.get(f"{ADMIN}{mine.pk}/change/").status_code == 404
    refused = client.post(ADMIN, {"action": "approve_selected", "_selected_action": [mine.pk]})
    assert refused.status_code in (403, 404)
    mine.refresh_from_db()
    assert mine.status == SupportMessage.Status.PENDING

    client.force_login(personas.campaigner_a)
    listing = client.get(ADMIN).content.decode()
    assert "For organisation A" in listing and "For organisation B" not in listing
    assert "Amal, Lebanon" in listing and "amal@example.org" not in listing
    assert "Haddad" not in listing

    client.force_login(personas.viewer_a)  # may not moderate
    client.post(ADMIN, {"action": "approve_selected", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == SupportMessage.Status.PENDING
    other.refresh_from_db()
    assert other.status == SupportMessage.Status.PENDING

    client.force_login(personas.campaigner_a)
    client.post(ADMIN, {"action": "approve_selected", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == SupportMessage.Status.APPROVED
    entry = AuditEntry.objects.get(action="support_message.approved")
    assert entry.organisation == personas.organisation_a
    assert entry.username == "campaigner_a"


def test_erasing_the_signer_erases_the_message_and_drops_it_from_the_page(client, personas):
    taking_messages()
    sign(client, message="Erase me with my data")
    approve_all(client, personas.campaigner_a)
    assert "Erase me with my data" in client.get(URL).content.decode()
    signature = Signature.objects.get()
    erase_signer(signature.email_digest)
    assert not SupportMessage.objects.exists()
    assert "Erase me with my data" not in client.get(URL).content.decode()


def test_retention_erasure_removes_the_messages(client, personas):
    taking_messages()
    sign(client, message="Gone after the retention period")
    Signature.objects.all().erase()
    assert not SupportMessage.objects.exists()
    assert Signature.objects.get().erased_at is not None
