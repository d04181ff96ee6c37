"""Receive updates by email: double opt-in, consent recorded, no oracle, one-click unsubscribe."""

import re

import pytest
from django.db import connection
from django.test import override_settings

from undersigned.subscribers.consent import CONSENT_VERSION
from undersigned.subscribers.models import Subscription

from .factories import make_organiser, make_petition
from .letters_fixtures import make_letter
from .news_fixtures import make_post

pytestmark = pytest.mark.django_db

SIGN_UP = "/en/updates/"
SIGN_UP_AR = "/ar/updates/"


def form(**overrides) -> dict:
    data = {
        "organisation": "rights-watchers",
        "email": "reader@example.org",
        "name": "Nour",
        "language": "en",
        "consent": "on",
        "source": "home",
    }
    data.update(overrides)
    return data


def confirm_link(text: str) -> str:
    return re.search(r"https?://\S+/confirm/\S+/", text).group(0).split("testserver")[-1]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_form_is_on_the_home_page_letters_and_posts_but_not_petitions(client):
    make_organiser()
    make_letter()
    make_post()
    make_petition()
    home = client.get("/en/").content.decode()
    assert "Receive updates by email" in home and 'name="organisation"' in home
    assert '<option value="rights-watchers">Rights Watchers</option>' in home
    letter = client.get("/en/letters/stop-the-attacks/").content.decode()
    assert "Receive updates from Rights Watchers by email" in letter
    assert 'type="hidden" name="organisation" value="rights-watchers"' in letter
    post = client.get("/en/news/coalition-letter-news/").content.decode()
    assert "Receive updates from Rights Watchers by email" in post
    arabic = client.get("/ar/news/coalition-letter-news/").content.decode()
    assert "تلقَّ المستجدات من مراقبو الحقوق عبر البريد الإلكتروني" in arabic
    petition = client.get("/en/petitions/free-the-detained/").content.decode()
    assert "Receive updates" not in petition


def test_sign_up_confirm_over_smtp_in_arabic_and_unsubscribe_in_one_click(
    client, smtp_server, run_tasks
):
    make_organiser()
    response = client.post(SIGN_UP_AR, form(language="ar", email="Reader@Example.org "))
    assert response.status_code == 302 and response["Location"] == "/ar/updates/check-your-email/"
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.consent_version == CONSENT_VERSION
    assert "مراقبو الحقوق" in subscription.consent_text
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, name FROM subscribers_subscription")
        stored_email, stored_name = cursor.fetchone()
    assert "example.org" not in stored_email.lower() and "Nour" not in stored_name

    run_tasks()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]["message"]
    assert smtp_server.messages[0]["to"] == ["Reader@Example.org"]
    assert "مراقبو الحقوق" in message["Subject"]
    text, html = smtp_server.bodies()
    assert 'dir="rtl"' in html and "Nour" in text.splitlines()[0] and text.startswith("مرحب")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = confirm_link(text)
    page = client.get(link)
    assert "نعم، أرسلوا لي المستجدات" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING  # a GET confirms nothing
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED and subscription.confirmed_at

    unsubscribe = path_of(message["List-Unsubscribe"].strip("<>"))
    assert client.get(unsubscribe).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED  # a GET unsubscribes nothing
    strict = client.__class__(enforce_csrf_checks=True)
    assert strict.post(unsubscribe, {}).status_code == 403  # a forged form is refused
    one_click = strict.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.unsubscribed_via == Subscription.Via.ONE_CLICK
    assert subscription.unsubscribed_at is not None  # recorded, not deleted
    assert client.get("/en/updates/unsubscribe/forged-token/").status_code == 404


def test_asking_again_answers_exactly_as_the_first_time(client, smtp_server, run_tasks):
    make_organiser()
    first = client.post(SIGN_UP, form())
    run_tasks()
    pending_again = client.post(SIGN_UP, form(name="Someone else"))
    run_tasks()
    assert len(smtp_server.messages) == 2  # a pending address gets its link again
    Subscription.objects.update(status=Subscription.Status.CONFIRMED)
    confirmed_again = client.post(SIGN_UP, form())
    run_tasks()
    assert len(smtp_server.messages) == 2  # a subscribed address gets nothing more
    unknown = client.post(SIGN_UP, form(email="new@example.org"))
    answers = [first, pending_again, confirmed_again, unknown]
    assert {(r.status_code, r["Location"]) for r in answers} == {
        (302, "/en/updates/check-your-email/")
    }
    assert Subscription.objects.filter(email_digest__isnull=False).count() == 2
    page = client.get("/en/updates/check-your-email/").content.decode()
    assert "If this address is not subscribed yet" in page


def test_an_unsubscribed_address_can_ask_again_and_must_confirm_again(client, run_tasks):
    make_organiser()
    client.post(SIGN_UP, form())
    Subscription.objects.update(status=Subscription.Status.UNSUBSCRIBED)
    client.post(SIGN_UP, form(language="ar"))
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING and subscription.language == "ar"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": "a" * 250 + "@example.org"}, "email", "at most 254 characters"),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
        ({"name": "Nour\x00"}, "name", "Null characters are not allowed."),
        ({"name": "Nour\x07"}, "name", "Remove the control characters"),
        ({"consent": ""}, "consent", "Tick the box to say you want these emails."),
        ({"organisation": "no-such-organisation"}, "organisation", "Choose one of the"),
        ({"organisation": "' OR 1=1 --"}, "organisation", "Choose one of the"),
        ({"language": "fr"}, "language", "Select a valid choice."),
    ],
)
def test_bad_input_gets_an_error_next_to_the_field_and_changes_nothing(
    client, overrides, field, message
):
    make_organiser()
    response = client.post(SIGN_UP, form(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert Subscription.objects.count() == 0


def test_errors_are_in_the_pages_language(client):
    make_organiser()
    html = client.post(SIGN_UP_AR, form(email="", consent="")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "يُرجى تصحيح الحقول" in html


def test_a_bot_filling_the_trap_is_answered_like_anyone_and_nothing_is_kept(client):
    make_organiser()
    response = client.post(SIGN_UP, form(website="http://spam.example"))
    assert response.status_code == 302
    assert Subscription.objects.count() == 0


@override_settings(RATE_LIMITS={"subscribe": {"ip": "100/h", "email": "2/h"}})
def test_sign_ups_are_rate_limited_per_address_keeping_the_input(client):
    make_organiser()
    for _ in range(2):
        assert client.post(SIGN_UP, form()).status_code == 302
    refused = client.post(SIGN_UP, form())
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert "Too many sign-ups" in html and 'value="reader@example.org"' in html


def test_one_list_per_organisation(client):
    make_organiser()
    make_organiser("coalition-b", "Coalition B", "التحالف ب")
    client.post(SIGN_UP, form())
    client.post(SIGN_UP, form(organisation="coalition-b"))
    assert Subscription.objects.count() == 2
    assert set(Subscription.objects.values_list("organisation__slug", flat=True)) == {
        "rights-watchers",
        "coalition-b",
    }


def test_the_my_data_page_lists_subscriptions_unsubscribes_and_erases_them(client, run_tasks):
    from undersigned.emails.my_data import my_data_url
    from undersigned.protection.crypto import email_digest

    make_organiser()
    make_organiser("coalition-b", "Coalition B", "التحالف ب")
    client.post(SIGN_UP, form())
    client.post(SIGN_UP, form(organisation="coalition-b"))
    client.post(SIGN_UP, form(email="someone-else@example.org"))
    Subscription.objects.update(status=Subscription.Status.CONFIRMED)
    link = path_of(my_data_url(email_digest("reader@example.org"), "en"))
    html = client.get(link).content.decode()
    assert "reader@example.org" in html and "someone-else" not in html
    assert "Rights Watchers" in html and "Coalition B" in html
    assert "Send me news and calls to action from Rights Watchers" in html
    download = client.post(link + "download/").json()
    assert {s["organisation"] for s in download["subscriptions"]} == {
        "Rights Watchers",
        "Coalition B",
    }

    mine = Subscription.objects.get(
        organisation__slug="rights-watchers", email_digest=email_digest("reader@example.org")
    )
    theirs = Subscription.objects.get(email_digest=email_digest("someone-else@example.org"))
    assert client.post(link + "stop-updates/", {"subscription": theirs.pk}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == Subscription.Status.CONFIRMED  # not this address's: untouched
    for bad in ["x", "١", "1 OR 1=1", ""]:
        assert client.post(link + "stop-updates/", {"subscription": bad}).status_code == 302
    client.post(link + "stop-updates/", {"subscription": mine.pk})
    mine.refresh_from_db()
    assert mine.status == Subscription.Status.UNSUBSCRIBED
    assert mine.unsubscribed_via == Subscription.Via.MY_DATA

    client.post(link + "erase/")
    assert not Subscription.objects.filter(email_digest=email_digest("reader@example.org")).exists()
    assert Subscription.objects.filter(pk=theirs.pk).exists()
