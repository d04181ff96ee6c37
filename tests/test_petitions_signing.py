"""Signing a petition through HTTP, as a signer would, with emails over real SMTP."""

import re

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.models import Signature

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def shown_count(client, url=URL) -> int:
    cache.clear()  # the count is cached for two seconds; read the truth
    html = client.get(url).content.decode()
    return int(re.search(r'<progress max="\d+" value="(\d+)"', html).group(1))


def confirm_link(smtp_server) -> str:
    text, _html = smtp_server.bodies()
    return re.search(r"http://\S+/confirm/\S+/", text).group(0).replace("http://127.0.0.1:8000", "")


def test_double_opt_in_sign_confirm_and_count(client, smtp_server, run_tasks):
    make_petition()
    assert shown_count(client) == 0

    response = client.post(URL, signer(opt_in="on", source="newsletter"))
    assert response.status_code == 302
    assert response["Location"] == "/en/petitions/free-the-detained/thanks/"
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert (signature.email, signature.country.code, signature.source) == (
        "amal@example.org",
        "LB",
        "newsletter",
    )
    assert signature.opt_in and signature.consent_version
    assert "Keep me updated by email" in signature.consent_text
    assert smtp_server.messages == []  # nothing is sent inside the request
    assert signature.email_due and not DBTaskResult.objects.exists()  # the row is the outbox
    assert shown_count(client) == 0  # pending signatures do not count

    run_tasks()
    assert smtp_server.messages[0]["to"] == ["amal@example.org"]
    assert (
        "Please confirm your signature: Free the detained"
        in smtp_server.messages[0]["message"]["Subject"]
    )
    text, html = smtp_server.bodies()
    assert "Hello Amal Haddad" in text and 'href="http://127.0.0.1:8000/en/confirm/' in html

    link = confirm_link(smtp_server)
    landing = client.get(link)  # a mail scanner opening the link confirms nothing
    assert landing.status_code == 200
    assert "Yes, count my signature" in landing.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING

    confirmed = client.post(link)
    assert confirmed["Location"] == "/en/petitions/free-the-detained/thanks/?confirmed=1"
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    assert shown_count(client) == 1

    again = client.post(link)  # confirming twice is harmless
    assert again["Location"] == confirmed["Location"]
    assert "Already confirmed" in client.get(link).content.decode()
    assert shown_count(client) == 1


def test_signing_again_answers_the_same_and_only_tells_the_owner(client, smtp_server, run_tasks):
    make_petition(double_opt_in=False)
    first = client.post(URL, signer())
    run_tasks()
    second = client.post(URL, signer(email="  AMAL@Example.ORG ", name="Someone Else"))
    third = client.post(URL, signer(email="amal@example.org"))
    assert first.status_code == second.status_code == third.status_code == 302
    assert first["Location"] == second["Location"] == third["Location"]
    assert Signature.objects.count() == 1
    assert Signature.objects.get().name == "Amal Haddad"
    assert shown_count(client) == 1

    run_tasks()
    subjects = [m["message"]["Subject"] for m in smtp_server.messages]
    assert subjects == [
        "Thank you for signing: Free the detained",
        "You have already signed: Free the detained",
    ]
    # at most one repeat notice per address per day
    assert DBTaskResult.objects.filter(task_path__endswith="send_repeat_notice").count() == 1


def test_dots_and_plus_tags_are_distinct_people(client):
    make_petition(double_opt_in=False)
    for email in ["amal@example.org", "a.mal@example.org", "amal+petitions@example.org"]:
        client.post(URL, signer(email=email))
    assert Signature.objects.count() == 3
    assert shown_count(client) == 3


def test_a_repeat_before_the_first_email_left_sends_nothing_more(client, smtp_server, run_tasks):
    make_petition()
    client.post(URL, signer())
    client.post(URL, signer(email="Amal@example.org"))  # a double click, say
    run_tasks()
    assert len(smtp_server.messages) == 1  # the confirmation already says it all


def test_repeat_of_an_unconfirmed_signature_resends_the_link(client, smtp_server, run_tasks):
    make_petition()
    client.post(URL, signer())
    run_tasks()
    client.post(URL, signer(email="Amal@example.org"))
    run_tasks()
    assert len(smtp_server.messages) == 2
    text, _ = smtp_server.bodies(-1)
    assert "still waiting for confirmation" in text
    assert "/en/confirm/" in text


def test_signing_in_arabic_sends_the_email_in_arabic(client, smtp_server, run_tasks):
    make_petition()
    response = client.post("/ar/petitions/free-the-detained/", signer(opt_in="on"))
    assert response["Location"] == "/ar/petitions/free-the-detained/thanks/"
    signature = Signature.objects.get()
    assert signature.language == "ar"
    assert "أبقوني على اطلاع" in signature.consent_text
    run_tasks()
    message = smtp_server.messages[0]["message"]
    assert "يُرجى تأكيد توقيعك" in message["Subject"]
    text, html = smtp_server.bodies()
    assert "/ar/confirm/" in text
    assert 'lang="ar" dir="rtl"' in html


def test_without_double_opt_in_the_signature_counts_at_once(client, smtp_server, run_tasks):
    make_petition(double_opt_in=False)
    client.post(URL, signer())
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    assert shown_count(client) == 1
    thanks = client.get("/en/petitions/free-the-detained/thanks/").content.decode()
    assert "Thank you for signing!" in thanks
    run_tasks()
    assert (
        smtp_server.messages[0]["message"]["Subject"] == "Thank you for signing: Free the detained"
    )


def test_thank_you_step_offers_every_share_channel_with_a_source(client):
    make_petition()
    html = client.get("/en/petitions/free-the-detained/thanks/").content.decode()
    assert "check" not in html.lower() or "email" in html.lower()
    for channel in ["whatsapp", "telegram", "x", "facebook", "email"]:
        assert f'href="/en/petitions/free-the-detained/share/{channel}/"' in html
    assert 'value="http://127.0.0.1:8000/en/petitions/free-the-detained/?source=share-link"' in html
    assert 'data-copy="#share-link"' in html and "hidden" in html


@pytest.mark.parametrize(
    ("channel", "start"),
    [
        ("whatsapp", "https://wa.me/?text="),
        ("telegram", "https://t.me/share/url?"),
        ("x", "https://x.com/intent/post?"),
        ("facebook", "https://www.facebook.com/sharer/sharer.php?"),
        ("email", "mailto:?subject="),
    ],
)
def test_share_links_count_clicks_and_carry_the_channel_as_source(client, channel, start):
    petition = make_petition()
    response = client.get(f"/en/petitions/free-the-detained/share/{channel}/")
    assert response.status_code == 302
    assert response["Location"].startswith(start)
    assert (
        f"source%3Dshare-{channel}" in response["Location"]
        or f"source=share-{channel}" in response["Location"]
    )
    client.get(f"/en/petitions/free-the-detained/share/{channel}/")
    assert petition.share_clicks.get(channel=channel).count == 2


def test_unknown_share_channel_is_404(client):
    make_petition()
    assert client.get("/en/petitions/free-the-detained/share/myspace/").status_code == 404


def test_source_code_is_kept_in_the_form_and_sanitised(client):
    make_petition(double_opt_in=False)
    html = client.get(URL + "?source=Share-WhatsApp<script>").content.decode()
    assert 'name="source" value="share-whatsappscript"' in html
    client.post(URL, signer(source="X" * 500 + "!"))
    assert Signature.objects.get().source == "x" * 64


def test_a_forged_or_damaged_confirmation_link_changes_nothing(client):
    make_petition()
    client.post(URL, signer())
    for token in ["nonsense", "eyJhIjoxfQ:1abc:def"]:
        response = client.post(f"/en/confirm/{token}/")
        assert response.status_code == 400
        assert "This link no longer works" in response.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING


def test_an_expired_confirmation_link_is_refused(client, settings, smtp_server, run_tasks):
    make_petition()
    client.post(URL, signer())
    run_tasks()
    link = confirm_link(smtp_server)
    settings.CONFIRMATION_DAYS = 0
    import time

    time.sleep(1.1)
    assert client.post(link).status_code == 400
    assert Signature.objects.get().status == Signature.Status.PENDING


def test_unconfirmed_signatures_are_removed_after_the_confirmation_window(
    client, settings, run_tasks
):
    from datetime import timedelta

    from django.utils import timezone

    from undersigned.petitions.tasks import remove_unconfirmed_signatures

    petition = make_petition()
    client.post(URL, signer(email="old@example.org"))
    client.post(URL, signer(email="new@example.org"))
    from undersigned.protection.crypto import email_digest

    Signature.objects.filter(email_digest=email_digest("old@example.org")).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    remove_unconfirmed_signatures.enqueue()
    run_tasks()
    assert list(petition.signatures.values_list("email", flat=True)) == ["new@example.org"]


def test_a_mangled_source_never_stops_a_signer(client):
    make_petition()
    response = client.post(URL, signer(source="\x00<script>Share-WhatsApp" + "x" * 3000))
    assert response.status_code == 302
    assert Signature.objects.get().source == "scriptshare-whatsapp" + "x" * 44
