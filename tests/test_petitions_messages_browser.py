"""Signing with a message of support in a browser without JavaScript, in Arabic, then seeing
the message on the petition's page once staff approved it."""

import pytest

from undersigned.petitions.models import SupportMessage
from undersigned.petitions.services import review_messages

from .factories import make_petition
from .personas import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_with_a_message_without_javascript_and_see_it_after_approval(live_server, browser):
    make_petition(messages_enabled=True, double_opt_in=False)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    url = f"{live_server.url}/ar/petitions/free-the-detained/"
    try:
        page.goto(url)
        page.get_by_label("الاسم الكامل").fill("رنا العلي")
        page.get_by_label("البريد الإلكتروني", exact=True).fill("rana@example.org")
        page.get_by_label("البلد").select_option("SY")
        page.get_by_label("علني").check()
        message = page.get_by_label("رسالة تضامنك (اختيارية)")
        assert message.get_attribute("maxlength") == "500"
        message.fill("لن ننسى أحداً.\n<b>معكم</b>")
        page.get_by_role("button", name="وقّع العريضة").click()
        page.wait_for_url(f"{url}thanks/")

        page.goto(url)
        assert "لن ننسى أحداً." not in page.content()  # not before staff approve it

        review_messages(
            SupportMessage.objects.all(),
            SupportMessage.Status.APPROVED,
            member("mod", "campaigner"),
        )
        page.goto(url)
        section = page.get_by_role("region", name="رسائل التضامن")
        assert "لن ننسى أحداً." in section.inner_text()
        assert "<b>معكم</b>" in section.inner_text()  # markup shown as text
        assert "رنا، سوريا" in section.inner_text()
        assert "العلي" not in section.inner_text()
    finally:
        context.close()
