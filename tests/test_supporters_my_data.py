"""A signer's rights through HTTP, as a signer would use them: the link in every email, the
page of what we hold, the JSON download, erasure, and "forgot your link?", over real SMTP."""

import json
import re
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.db.models import Count

from undersigned.audit.models import AuditEntry
from undersigned.emails.my_data import make_token
from undersigned.petitions.models import Signature
from undersigned.protection.crypto import email_digest

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"
OTHER_URL = "/en/petitions/open-the-prisons/"


def shown_count(client, url=URL) -> int:
    cache.clear()  # the count is cached for two seconds; read the truth
    html = client.get(url).content.decode()
    return int(re.search(r'<progress max="\d+" value="(\d+)"', html).group(1))


def my_data_link(smtp_server, index=-1) -> str:
    text, html = smtp_server.bodies(index)
    link = re.search(r"http://127\.0\.0\.1:8000(/\w\w/my-data/[^/\s]+/)", text).group(1)
    assert f'href="http://127.0.0.1:8000{link}"' in html  # in the HTML part too
    return link


def country_totals(petition) -> dict:
    rows = petition.signatures.filter(status="confirmed").values("country").annotate(n=Count("pk"))
    return {row["country"]: row["n"] for row in rows}


def test_every_email_to_a_signer_carries_the_link(client, smtp_server, run_tasks):
    make_petition()  # double opt-in: a confirmation email
    client.post(URL, signer())
    run_tasks()
    client.post(URL, signer())  # a repeat: the notice
    run_tasks()
    subjects = [m["message"]["Subject"] for m in smtp_server.messages]
    assert subjects[0].startswith("Please confirm") and subjects[1].startswith("You have already")
    links = {my_data_link(smtp_server, i) for i in range(2)}
    assert all(link.startswith("/en/my-data/") for link in links)
    text, _html = smtp_server.bodies(0)
    assert "See, download or erase the data we hold about you:" in text
    assert "amal@example.org" not in my_data_link(smtp_server, 0)  # the digest, never the address


def test_see_download_and_erase(client, smtp_server, run_tasks):
    first = make_petition(double_opt_in=False)
    second = make_petition("open-the-prisons", double_opt_in=False)
    client.post(URL, signer(opt_in="on", source="newsletter"))
    client.post(OTHER_URL, signer(country="SY"))
    client.post(URL, signer(name="Rami Saleh", email="rami@example.org", country="LB"))
    run_tasks()
    assert smtp_server.messages[0]["message"]["Subject"].startswith("Thank you for signing")
    link = my_data_link(smtp_server, 0)
    before = (shown_count(client), shown_count(client, OTHER_URL))
    totals = (country_totals(first), country_totals(second))
    assert before == (2, 1)

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"] and "noindex" in page["X-Robots-Tag"]
    assert "amal@example.org" in html and html.count("Amal Haddad") == 2
    assert "2 signatures" in html
    assert "Lebanon" in html and "Syria" in html
    assert "Keep me updated by email" in html and "newsletter" in html  # consent and source
    assert "Rami" not in html  # another address's data is not here
    assert "/unsubscribe/" in html  # one click to stop updates, the delivery app's own

    download = client.post(link + "download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(download.content)
    assert data["email"] == "amal@example.org"
    assert {s["name"] for s in data["signatures"]} == {"Amal Haddad"}
    assert {s["petition"]["title"] for s in data["signatures"]} == {"Free the detained"}
    opted_in = next(s for s in data["signatures"] if s["wants_updates_by_email"])
    assert opted_in["consent_version"] and opted_in["source"] == "newsletter"
    assert client.get(link + "download/")["Content-Disposition"].startswith("attachment")

    confirm = client.get(link + "erase/")  # a mail scanner following links erases nothing
    assert confirm.status_code == 200 and "Yes, erase my data" in confirm.content.decode()
    assert Signature.objects.held().count() == 3

    erased = client.post(link + "erase/")
    assert erased.status_code == 302 and erased["Location"] == link + "?erased=1"
    assert (shown_count(client), shown_count(client, OTHER_URL)) == before
    assert (country_totals(first), country_totals(second)) == totals
    for signature in Signature.objects.exclude(name="Rami Saleh"):
        assert signature.name == "" and signature.email == ""
        assert signature.email_digest == f"erased:{signature.pk}"
        assert (signature.ip_hash, signature.source, signature.consent_text) == ("", "", "")
        assert not signature.opt_in and signature.erased_at is not None
        assert signature.status == "confirmed"
    assert Signature.objects.get(name="Rami Saleh").email == "rami@example.org"
    entry = AuditEntry.objects.get(action="signer.erased")
    assert sorted(entry.detail["erased"]) == sorted(
        Signature.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)
    )

    after = client.get(erased["Location"]).content.decode()
    assert "Your data is erased." in after and "amal@example.org" not in after
    again = client.get(link).content.decode()
    assert "We hold nothing under this address" in again
    assert json.loads(client.get(link + "download/").content)["signatures"] == []

    # signing again later is a new, ordinary signature
    client.post(URL, signer())
    assert shown_count(client) == before[0] + 1


def test_unconfirmed_signatures_are_removed_not_kept(client, smtp_server, run_tasks):
    make_petition()
    client.post(URL, signer())
    run_tasks()
    client.post(my_data_link(smtp_server) + "erase/")
    assert not Signature.objects.exists()
    assert shown_count(client) == 0


def test_an_erased_signer_drops_out_of_the_public_list(client):
    petition = make_petition(double_opt_in=False, show_recent_signers=True)
    client.post(URL, signer(visibility="public"))
    client.post(URL, signer(name="Rami Saleh", email="rami@example.org", visibility="public"))
    assert "Amal H., Lebanon" in client.get(URL).content.decode()
    token = make_token(email_digest("amal@example.org"))
    client.post(f"/en/my-data/{token}/erase/")  # the cached page is dropped at once
    html = client.get(URL).content.decode()
    assert "Amal" not in html and "Rami S., Lebanon" in html
    assert petition.signature_count() == 2


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "x" * 300,
        "ImFiYyI:1tVNeS:forged-signature-forged-signature-xx",
    ],
)
def test_a_forged_token_gets_a_clear_400_page(client, token):
    for suffix in ("", "download/", "erase/"):
        response = client.get(f"/en/my-data/{token}/{suffix}")
        assert response.status_code == 400
        assert "This link no longer works" in response.content.decode()
    assert client.post(f"/en/my-data/{token}/erase/").status_code == 400


def test_a_signed_token_naming_no_digest_is_refused(client):
    from django.core import signing

    from undersigned.emails.my_data import SALT

    for payload in (42, "amal@example.org", ["a"]):
        token = signing.dumps(payload, salt=SALT)
        assert client.get(f"/en/my-data/{token}/").status_code == 400


def test_an_expired_or_foreign_token_gets_a_clear_400_page(client, settings):
    make_petition(double_opt_in=False)
    client.post(URL, signer())
    digest = email_digest("amal@example.org")
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 31 * 86400):
        old = make_token(digest)
    response = client.get(f"/en/my-data/{old}/")
    assert response.status_code == 400
    assert "Email me a new link" in response.content.decode()
    assert client.post(f"/en/my-data/{old}/erase/").status_code == 400
    assert Signature.objects.held().count() == 1

    from undersigned.delivery.tokens import make_token as unsubscribe_token

    foreign = unsubscribe_token(Signature.objects.get().pk)  # another link's token
    assert client.get(f"/en/my-data/{foreign}/").status_code == 400
    assert client.get(f"/en/my-data/{make_token(digest)}/").status_code == 200


def test_forgot_your_link_answers_the_same_for_known_and_unknown(client, smtp_server, run_tasks):
    make_petition(double_opt_in=False)
    client.post(URL, signer())
    run_tasks()
    smtp_server.messages.clear()

    form = client.get("/en/my-data/")
    assert form.status_code == 200 and "Email me a link" in form.content.decode()
    known = client.post("/en/my-data/", {"email": " Amal@Example.org "})
    unknown = client.post("/en/my-data/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert "Check your inbox" in known.content.decode()
    run_tasks()
    assert [m["to"] for m in smtp_server.messages] == [["amal@example.org"]]
    assert smtp_server.messages[0]["message"]["Subject"] == "Your link to see or erase your data"
    link = my_data_link(smtp_server)
    assert "Amal Haddad" in client.get(link).content.decode()

    bad = client.post("/en/my-data/", {"email": "not an address"})
    assert bad.status_code == 400 and "Enter a valid email address." in bad.content.decode()


def test_forgot_your_link_in_arabic_sends_the_email_in_arabic(client, smtp_server, run_tasks):
    make_petition(double_opt_in=False)
    client.post(URL, signer())
    run_tasks()
    smtp_server.messages.clear()
    page = client.post("/ar/my-data/", {"email": "amal@example.org"})
    assert "تفقّد بريدك" in page.content.decode()
    run_tasks()
    assert my_data_link(smtp_server).startswith("/ar/my-data/")
    text, _html = smtp_server.bodies()
    assert "البيانات التي نحتفظ بها" in text


def test_the_pages_are_rate_limited(client, settings, smtp_server, run_tasks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "my_data": {"ip": "1000/h", "email": "2/h"}}
    for _ in range(2):
        assert client.post("/en/my-data/", {"email": "amal@example.org"}).status_code == 200
    refused = client.post("/en/my-data/", {"email": "AMAL@example.org"})
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    assert client.post("/en/my-data/", {"email": "rami@example.org"}).status_code == 200

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "my_data": {"ip": "3/h"}}
    cache.clear()
    token = make_token(email_digest("amal@example.org"))
    statuses = [client.get(f"/en/my-data/{token}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_page_in_arabic(client):
    make_petition(double_opt_in=False)
    client.post(URL, signer(opt_in="on"))
    token = make_token(email_digest("amal@example.org"))
    html = client.get(f"/ar/my-data/{token}/").content.decode()
    assert 'dir="rtl"' in html and "بياناتك" in html
    assert "الحرية للمعتقلين" in html  # the petition's Arabic title
    assert "تنزيل (JSON)" in html and "امحُ بياناتي" in html


def test_the_delivery_update_email_carries_the_link(client, smtp_server, run_tasks):
    from datetime import date

    from undersigned.delivery import services
    from undersigned.delivery.models import Delivery

    petition = make_petition(double_opt_in=False)
    client.post(URL, signer(opt_in="on"))
    run_tasks()
    smtp_server.messages.clear()
    petition.state = "closed"
    petition.save()
    delivery = Delivery.objects.create(petition=petition, delivered_on=date.today(), method="email")
    services.queue_updates(delivery, None)
    run_tasks()
    assert smtp_server.messages[0]["message"]["Subject"].startswith("Delivered")
    link = my_data_link(smtp_server)
    assert "Amal Haddad" in client.get(link).content.decode()
    client.post(link + "erase/")
    from undersigned.delivery.models import UpdateEmail

    assert UpdateEmail.objects.get().email_digest.startswith("erased:")


def test_the_privacy_page_points_to_the_rights_page(client):
    html = client.get("/en/privacy/").content.decode()
    assert 'href="/en/my-data/"' in html and "any email we sent you" in html
    arabic = client.get("/ar/privacy/").content.decode()
    assert 'href="/ar/my-data/"' in arabic and "اطلب رابطًا جديدًا" in arabic
