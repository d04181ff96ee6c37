import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_root_redirects_to_a_language_prefix(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


def test_home_in_english_is_left_to_right(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.content.decode()
    assert "Take action for human rights" in response.content.decode()


def test_home_in_arabic_is_right_to_left_and_translated(client):
    response = client.get("/ar/")
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "تحرّك من أجل حقوق الإنسان" in html
    assert "Take action for human rights" not in html


def test_home_shows_an_empty_state_without_actions(client):
    response = client.get("/en/")
    assert "No actions yet" in response.content.decode()


@pytest.mark.parametrize("path", ["/en/", "/en/about/", "/en/privacy/"])
def test_every_page_has_landmarks_skip_link_and_language_switch(client, path):
    html = client.get(path).content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert 'href="/ar' + path[3:] + '"' in html
    assert 'hreflang="ar"' in html


def test_language_switch_keeps_the_page_and_marks_the_current_language(client):
    html = client.get("/ar/privacy/").content.decode()
    assert '<a href="/en/privacy/" hreflang="en" lang="en">English</a>' in html
    assert 'aria-current="page">العربيّة</a>' in html


def test_privacy_page_says_what_is_kept_in_both_languages(client):
    assert "What we keep when you sign" in client.get("/en/privacy/").content.decode()
    assert "ما نحتفظ به عندما توقّع" in client.get("/ar/privacy/").content.decode()


def test_no_third_party_hosts_in_public_pages(client):
    for path in ["/en/", "/ar/", "/en/about/", "/en/privacy/"]:
        html = client.get(path).content.decode()
        loaded = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]+)"', html)
        loaded = [url for url in loaded if not url.startswith(settings.SITE_URL + "/")]
        assert loaded == [], (path, loaded)


@pytest.mark.parametrize(
    ("language", "text"), [("en", "We could not find that page"), ("ar", "لم نعثر على هذه الصفحة")]
)
def test_404_page_is_styled_and_translated(client, language, text):
    response = client.get(f"/{language}/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert text in html
    assert f'lang="{language}"' in html
    # The language switch on a missing page leads to the other language's home page.
    other = "ar" if language == "en" else "en"
    assert f'href="/{other}/"' in html


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Something went wrong, please try again later"),
        ("ar", "حدث خطأ ما، يُرجى المحاولة لاحقاً"),
    ],
)
def test_500_page_is_styled_and_translated(rf, language, text):
    from undersigned.pages.views import server_error

    request = rf.get(f"/{language}/")
    with translation.override(language):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert text in html
    assert f'dir="{"rtl" if language == "ar" else "ltr"}"' in html


def test_named_urls_carry_the_language_prefix():
    with translation.override("ar"):
        assert reverse("privacy") == "/ar/privacy/"
