"""The petition page is served from the shared cache without a database query, with the
per-visitor parts filled in, and staff edits show at once."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from undersigned.petitions.models import PetitionText, State

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_a_warm_page_costs_no_database_query(client, django_assert_num_queries):
    make_petition()
    client.get(URL)
    client.get("/ar/petitions/free-the-detained/")
    with django_assert_num_queries(0):
        response = client.get(URL)
    assert response.status_code == 200
    with django_assert_num_queries(0):
        assert "الحرية للمعتقلين" in client.get("/ar/petitions/free-the-detained/").content.decode()


def test_each_visitor_gets_their_own_token_start_time_and_source(client):
    make_petition()
    first = client.get(URL + "?source=newsletter").content.decode()
    other = Client()
    second = other.get(URL + "?source=Share-WhatsApp").content.decode()
    assert hidden(first, "source") == "newsletter"
    assert hidden(second, "source") == "share-whatsapp"
    assert hidden(first, "csrfmiddlewaretoken") != hidden(second, "csrfmiddlewaretoken")
    assert "hole" not in second
    assert other.cookies["csrftoken"].value  # the cookie that goes with the token is set


def test_a_cached_page_accepts_its_form(client):
    make_petition(double_opt_in=False)
    client.get(URL)
    page = Client(enforce_csrf_checks=True)
    html = page.get(URL).content.decode()
    data = signer(
        csrfmiddlewaretoken=hidden(html, "csrfmiddlewaretoken"), started=hidden(html, "started")
    )
    assert page.post(URL, data).status_code == 302


def test_the_count_on_a_cached_page_follows_the_signatures(client):
    make_petition(double_opt_in=False)
    client.get(URL)
    client.post(URL, signer())
    from undersigned.petitions.models import Petition

    cache.delete(f"petition:{Petition.objects.get().pk}:count")  # as two seconds would
    assert '<progress max="100" value="1"' in client.get(URL).content.decode()


def test_staff_edits_and_closing_show_at_once(client):
    petition = make_petition()
    client.get(URL)
    text = PetitionText.objects.get(petition=petition, language="en")
    text.title = "Free every detainee"
    text.save()
    assert "Free every detainee" in client.get(URL).content.decode()
    petition.state = State.CLOSED
    petition.save()
    html = client.get(URL).content.decode()
    assert "This petition is closed" in html and 'name="email"' not in html
    assert client.post(URL, signer()).status_code == 403


def test_a_closing_date_passing_ends_the_cached_copy(client):
    from datetime import timedelta

    from django.utils import timezone

    petition = make_petition(closes_in_days=1)
    client.get(URL)
    type(petition).objects.filter(pk=petition.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    # the cached copy knows its own closing time, so even without a signal it is not served
    entry = cache.get(f"petition-page:{petition.slug}:en")
    entry["closes_at"] = timezone.now() - timedelta(seconds=1)
    cache.set(f"petition-page:{petition.slug}:en", entry)
    assert "This petition is closed" in client.get(URL).content.decode()


def test_drafts_are_never_cached_or_shown(client, admin_client):
    make_petition(state=State.DRAFT)
    assert admin_client.get(URL).status_code == 200  # staff preview
    assert client.get(URL).status_code == 404
    assert cache.get("petition-page:free-the-detained:en") is None


def test_each_process_remembers_the_page_for_a_moment(client, settings, django_assert_num_queries):
    from undersigned.petitions import pagecache

    settings.PAGE_MEMO_SECONDS = 3600  # long: a loaded machine must not let it lapse here
    make_petition()
    client.get(URL)
    cache.clear()  # another server dropped the shared copy...
    with django_assert_num_queries(0):  # ...this one still answers from memory
        assert client.get(URL).status_code == 200
    assert pagecache._memo
    for key, (_until, value) in list(pagecache._memo.items()):
        pagecache._memo[key] = (0, value)  # the moment has passed
    client.get(URL)  # re-read (and re-rendered), then remembered again
    assert cache.get("petition-page:free-the-detained:en") is not None


def test_a_stale_copy_is_renewed_by_one_request_while_others_are_served(
    client, django_assert_num_queries
):
    petition = make_petition()
    client.get(URL)
    key = "petition-page:free-the-detained:en"
    entry = cache.get(key)
    entry["fresh_until"] = 0  # older than PAGE_SECONDS
    cache.set(key, entry)
    cache.add(f"{key}:renewing", 1, 10)  # another request is renewing it right now
    with django_assert_num_queries(0):
        assert "Free the detained" in client.get(URL).content.decode()  # the stale copy
    cache.delete(f"{key}:renewing")
    PetitionText = type(petition.texts.first())
    PetitionText.objects.filter(petition=petition, language="en").update(title="Renewed title")
    assert "Renewed title" in client.get(URL).content.decode()  # this request renews it
    assert cache.get(key)["fresh_until"] > 0


def test_a_form_sent_without_its_token_is_refused_plainly_in_the_pages_language():
    from undersigned.petitions.models import Signature

    make_petition(double_opt_in=False)
    stranger = Client(enforce_csrf_checks=True)
    refused = stranger.post("/ar/petitions/free-the-detained/", signer())
    page = refused.content.decode()
    assert refused.status_code == 403
    assert 'lang="ar" dir="rtl"' in page and "تعذّر إرسال النموذج" in page
    assert "CSRF" not in page and 'href="/ar/"' in page
    assert not Signature.objects.exists()
