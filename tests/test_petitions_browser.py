"""The main petition flow in a real browser: sign in Arabic, confirm from the email, see the count."""

import re

import pytest
from django.core.cache import cache

from undersigned.petitions.models import Signature, State

from .factories import make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_and_sign(page, name, email, country="SY"):
    page.get_by_label("الاسم الكامل").fill(name)
    page.get_by_label("البريد الإلكتروني", exact=True).fill(email)
    page.get_by_label("البلد").select_option(country)
    page.get_by_role("button", name="وقّع العريضة").click()


def test_sign_confirm_and_count_in_arabic(live_server, page, smtp_server, run_tasks):
    petition = make_petition()
    url = f"{live_server.url}/ar/petitions/free-the-detained/"
    page.goto(url)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "الحرية للمعتقلين"

    fill_and_sign(page, "أمل حداد", "amal@example.org")
    page.wait_for_url(f"{url}thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "خطوة أخيرة: أكّد توقيعك"
    assert page.get_by_role("link", name="واتساب").is_visible()
    assert page.get_by_role("button", name="نسخ").is_visible()  # enhanced by JavaScript

    run_tasks()
    text, _ = smtp_server.bodies()
    link = (
        re.search(r"http://\S+/confirm/\S+/", text)
        .group(0)
        .replace("http://127.0.0.1:8000", live_server.url)
    )
    page.goto(link)
    page.get_by_role("button", name="نعم، احتسبوا توقيعي").click()
    page.wait_for_url(re.compile(r".*/thanks/\?confirmed=1$"))
    assert page.get_by_role("heading", level=1).inner_text() == "تأكّد توقيعك. شكراً لك!"

    cache.clear()
    page.goto(url)
    assert page.locator("progress").get_attribute("value") == "1"

    # The same person again, typed differently: the same answer, the same count.
    fill_and_sign(page, "أمل", "  AMAL@example.org ")
    page.wait_for_url(f"{url}thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "خطوة أخيرة: أكّد توقيعك"
    assert Signature.objects.filter(petition=petition).count() == 1

    petition.state = State.CLOSED
    petition.save()
    cache.clear()
    page.goto(url)
    assert page.get_by_role("heading", name="هذه العريضة مغلقة").is_visible()
    assert page.get_by_label("البريد الإلكتروني", exact=True).count() == 0


def test_errors_show_next_to_fields_and_keep_the_input(live_server, page):
    make_petition()
    page.goto(f"{live_server.url}/en/petitions/free-the-detained/")
    page.get_by_label("Full name").fill("Amal Haddad")
    page.get_by_label("Email", exact=True).fill("amal-at-example.org")
    page.get_by_role("button", name="Sign the petition").click()
    email = page.get_by_label("Email", exact=True)
    assert email.input_value() == "amal-at-example.org"
    assert page.get_by_label("Full name").input_value() == "Amal Haddad"
    assert "Enter a valid email address." in page.locator("#id_email_error").inner_text()
    assert email.get_attribute("aria-invalid") == "true"
    assert Signature.objects.count() == 0
