"""Public pages are gzipped; nothing that could hold a reader's secret is (BREACH)."""

import gzip

import pytest
from django.test import override_settings

from tests.factories import make_petition

pytestmark = pytest.mark.django_db


def fetch(client, path, **headers):
    return client.get(path, HTTP_ACCEPT_ENCODING="gzip, br", **headers)


def test_a_public_petition_page_is_gzipped_with_a_fresh_csrf_token_each_time(client):
    petition = make_petition()
    first = fetch(client, f"/en/petitions/{petition.slug}/?source=x")
    second = fetch(client, f"/en/petitions/{petition.slug}/?source=x")
    assert first.status_code == 200
    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"]
    html = [gzip.decompress(answer.content).decode() for answer in (first, second)]
    assert petition.text_in("en").title in html[0]
    token = 'name="csrfmiddlewaretoken" value="'
    assert html[0].split(token)[1][:64] != html[1].split(token)[1][:64]  # masked afresh


def test_the_cached_page_is_sent_compressed_as_it_is_sent_plain_with_its_holes_not_compressed(
    client,
):
    petition = make_petition()
    path = f"/en/petitions/{petition.slug}/?source=partner-site"
    fetch(client, path)  # renders and stores the page
    packed = fetch(client, path)
    plain = client.get(path)
    assert packed["Content-Encoding"] == "gzip" and not plain.has_header("Content-Encoding")
    assert len(packed.content) < len(plain.content) / 2
    token = 'name="csrfmiddlewaretoken" value="'
    html = gzip.decompress(packed.content).decode()
    sent_token = html.split(token)[1][:64]
    # the page's own values travel as they are, in no compressed block (BREACH)
    assert sent_token.encode() in packed.content
    assert b'value="partner-site"' in packed.content or b"partner-site" in packed.content
    plain_html = plain.content.decode()
    assert (
        html.replace(sent_token, "T").split('name="started" value="')[0]
        == (
            plain_html.replace(plain_html.split(token)[1][:64], "T").split(
                'name="started" value="'
            )[0]
        )
    )


def test_nothing_is_gzipped_for_a_reader_with_a_session(client, django_user_model):
    petition = make_petition()
    user = django_user_model.objects.create_user("reader", password="x" * 12)
    client.force_login(user)
    answer = fetch(client, f"/en/petitions/{petition.slug}/")
    assert answer.status_code == 200
    assert not answer.has_header("Content-Encoding")


def test_the_admin_and_private_pages_are_never_gzipped(client):
    login = fetch(client, "/admin/login/")
    assert login.status_code == 200 and not login.has_header("Content-Encoding")
    link_request = fetch(client, "/en/my-data/")
    assert "no-store" in link_request["Cache-Control"]
    assert not link_request.has_header("Content-Encoding")


@override_settings(COMPRESS_PAGES=False)
def test_compress_pages_off_leaves_compression_to_the_proxy(client):
    petition = make_petition()
    answer = fetch(client, f"/en/petitions/{petition.slug}/")
    assert answer.status_code == 200 and not answer.has_header("Content-Encoding")
