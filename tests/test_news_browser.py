"""A real Chromium reads the news in Arabic without JavaScript, filters it, opens a press
release, switches language, and signs up for updates through the real form."""

import pytest

from undersigned.news.models import Kind
from undersigned.subscribers.models import Subscription

from .news_fixtures import make_post, make_press_release, make_tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_the_news_and_read_a_press_release_without_javascript(live_server, browser):
    syria = make_tag()
    make_post("plain-news", title="Plain news", tags=[syria])
    make_post("a-statement", kind=Kind.STATEMENT, title="A statement")
    make_press_release(tags=[syria])
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/news/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".news-list li").count() == 3
    page.get_by_label("النوع").select_option("press-release")
    page.get_by_role("button", name="تصفية").click()
    page.wait_for_url("**/ar/news/?kind=press-release*")
    assert page.locator(".news-list li").count() == 1
    page.locator(".news-list h3 a").click()
    page.wait_for_url("**/ar/news/press-release/")
    assert "<strong>واشنطن</strong>" in page.locator(".post__dateline").inner_html()
    assert (
        page.get_by_role("link", name="تنزيل بصيغة PDF")
        .get_attribute("href")
        .endswith("/ar/news/press-release/pdf/")
    )
    assert "مسؤول الإعلام" in page.locator(".press-contacts").inner_text()
    page.get_by_role("link", name="متوفر أيضاً باللغة الإنجليزيّة").click()
    page.wait_for_url("**/en/news/press-release/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("heading", level=1).inner_text() == "Coalition urges action"
    # the page's width holds at 390 px: nothing sticks out sideways
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()


def test_sign_up_for_updates_from_a_post_in_arabic(live_server, page):
    make_post()
    page.goto(f"{live_server.url}/ar/news/coalition-letter-news/")
    form = page.locator(".sign-up")
    form.get_by_label("عنوان بريدك الإلكتروني").fill("not-an-email")
    form.get_by_role("button", name="اشترك").click()
    page.wait_for_url("**/ar/updates/")
    assert page.locator(".errorlist").first.is_visible()
    assert page.get_by_label("عنوان بريدك الإلكتروني").input_value() == "not-an-email"
    page.get_by_label("عنوان بريدك الإلكتروني").fill("reader@example.org")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="اشترك").click()
    page.wait_for_url("**/ar/updates/check-your-email/")
    assert "تحقّق من بريدك الإلكتروني" in page.get_by_role("heading", level=1).inner_text()
    subscription = Subscription.objects.get()
    assert subscription.language == "ar" and subscription.status == "pending"
    assert subscription.source == "post:coalition-letter-news"
