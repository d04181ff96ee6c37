"""A real Chromium endorses a letter in Arabic and filters the list by country."""

import pytest

from undersigned.letters.models import Endorsement

from .letters_fixtures import add_signatory, make_letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_endorse_in_arabic_through_the_real_form(live_server, page):
    letter = make_letter()
    page.goto(f"{live_server.url}/ar/letters/stop-the-attacks-ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("link", name="أضف منظمتك").first.click()
    page.wait_for_url("**/ar/letters/stop-the-attacks-ar/endorse/")

    page.get_by_label("اسم المنظمة").fill("الدفاع المدني السوري")
    page.get_by_label("البلد").select_option("SY")
    page.get_by_label("شبكة الإغاثة السورية (*)").check()
    page.get_by_label("اسمك").fill("رنا")
    page.get_by_label("عنوان بريدك الإلكتروني").fill("not-an-email")
    page.get_by_role("button", name="أضيفوا منظمتنا").click()
    assert page.locator(".errorlist").first.inner_text() == "أدخِل عنوان بريد إلكتروني صحيح."
    assert page.get_by_label("اسم المنظمة").input_value() == "الدفاع المدني السوري"

    page.get_by_label("عنوان بريدك الإلكتروني").fill("rana@example.org")
    page.get_by_label("أنا مخوَّل بالتوقيع باسم هذه المنظمة.").check()
    page.get_by_role("button", name="أضيفوا منظمتنا").click()
    page.wait_for_url("**/endorse/thanks/")
    assert "تفقّد بريدك الإلكتروني" in page.get_by_role("heading", level=1).inner_text()

    endorsement = Endorsement.objects.get()
    assert (endorsement.name, endorsement.country.code, endorsement.letter) == (
        "الدفاع المدني السوري",
        "SY",
        letter,
    )
    assert endorsement.markers() == "*" and endorsement.language == "ar"


def test_filter_the_list_by_country_without_javascript(live_server, browser):
    letter = make_letter()
    add_signatory(letter, "Alpha Aid", "SY")
    add_signatory(letter, "Beta Relief", "TR")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/letters/stop-the-attacks/")
    assert page.locator(".signatory-list li").count() == 2
    page.get_by_label("Country").select_option("TR")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**country=TR**")
    assert page.locator(".signatory-list li").count() == 1
    assert "Beta Relief" in page.locator(".signatory-list li").inner_text()
    assert page.locator(".signatory-list li").get_attribute("value") == "2"
    context.close()


def form_look(page) -> list[str]:
    fieldset = page.locator(".endorse-form fieldset").first
    label = page.locator(".endorse-form .label").first
    return [
        fieldset.evaluate("e => getComputedStyle(e).borderRadius"),
        fieldset.evaluate("e => getComputedStyle(e).borderTopStyle"),
        label.evaluate("e => getComputedStyle(e).fontWeight"),
    ]


def test_the_embeds_form_is_styled_like_the_endorse_page(live_server, page):
    make_letter()
    page.goto(f"{live_server.url}/en/letters/stop-the-attacks/endorse/")
    on_its_page = form_look(page)
    assert on_its_page[1] == "solid" and on_its_page[2] == "600"
    page.goto(f"{live_server.url}/en/letters/stop-the-attacks/embed/")
    assert form_look(page) == on_its_page
