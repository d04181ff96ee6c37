"""Signing through a co-host's link in a real phone-sized browser, without JavaScript."""

import pytest

from undersigned.petitions.models import Signature

from .cohosts_fixtures import PARTNER_CODE, cohost, tick_cohost_line
from .factories import make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_signer_opts_in_to_the_cohost_whose_link_they_followed(live_server, no_script_page):
    page = no_script_page
    petition = make_petition(double_opt_in=False)
    partner = cohost(petition)
    url = f"{live_server.url}/en/petitions/free-the-detained/"
    page.goto(url + f"?source={PARTNER_CODE}")
    assert "co-hosted by Partner Aid" in page.locator(".petition__kicker").inner_text()
    line = page.get_by_label("Keep me updated by email by Partner Aid", exact=False)
    organiser_line = page.get_by_label("other actions by Rights Watchers", exact=False)
    assert not line.is_checked() and not organiser_line.is_checked()  # nothing ticked for them

    page.get_by_label("Full name").fill("Amal Haddad")
    page.get_by_label("Email", exact=True).fill("amal@example.org")
    page.get_by_label("Country").select_option("LB")
    tick_cohost_line(page)
    assert line.is_checked()
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url(f"{url}thanks/")
    signature = Signature.objects.get()
    assert (signature.source, signature.cohost, signature.opt_in) == ("partner-aid", partner, False)
    assert signature.cohost_consent_text.startswith("Keep me updated by email by Partner Aid")
