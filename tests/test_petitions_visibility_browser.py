"""Choosing who sees one's name in a real phone-sized browser, in Arabic, without JavaScript."""

import pytest

from undersigned.petitions.models import Signature

from .factories import make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_signer_picks_counted_only_without_javascript(live_server, no_script_page):
    page = no_script_page
    make_petition(double_opt_in=False)
    url = f"{live_server.url}/ar/petitions/free-the-detained/"
    page.goto(url)
    group = page.get_by_role("group", name="من يمكنه رؤية اسمك")
    assert group.get_by_role("radio", name="للجهة المعنية فقط").is_checked()  # the default
    counted_only = group.get_by_role("radio", name="يُحتسب فقط", exact=True)  # the label alone
    assert counted_only.get_attribute("aria-describedby") == "id_visibility_count_help"
    assert "لا يُحفظ" in page.locator("#id_visibility_count_help").inner_text()

    page.get_by_label("الاسم الكامل").fill("أمل حداد")
    page.get_by_label("البريد الإلكتروني", exact=True).fill("amal@example.org")
    page.get_by_label("البلد").select_option("SY")
    page.locator("label[for=id_visibility_count]").click()  # the label ticks its radio
    assert counted_only.is_checked()
    page.get_by_role("button", name="وقّع العريضة").click()
    page.wait_for_url(f"{url}thanks/")
    signature = Signature.objects.get()
    assert (signature.visibility, signature.name, signature.status) == ("count", "", "confirmed")
