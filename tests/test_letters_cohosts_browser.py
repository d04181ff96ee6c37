"""Endorsing a letter through a co-host's link in a real phone-sized browser, without
JavaScript: from the letter to the form, the co-host's own line, the email confirmation."""

import re

import pytest

from undersigned.letters.cohosts import COHOST_OPT_IN_VERSION
from undersigned.letters.models import Endorsement

from .cohosts_fixtures import PARTNER_CODE, cohost, tick_cohost_line
from .letters_fixtures import make_letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINE = "Keep me updated by email by Partner Aid, which co-hosts this letter."


def fill_endorsement(page):
    page.get_by_label("Organisation name").fill("Syrian Civil Defence")
    page.get_by_label("Country").select_option("SY")
    page.get_by_label("Your name").fill("Rana Example")
    page.get_by_label("Your email address").fill("rana@example.org")
    page.get_by_label("I am authorised to sign for this organisation.").check()


def confirmation_link(smtp_server, live_server) -> str:
    text, _html = smtp_server.bodies()
    found = re.search(r"http://\S+/confirm/\S+/", text).group(0)
    return found.replace("http://127.0.0.1:8000", live_server.url)


def test_an_endorser_opts_in_to_the_cohost_whose_link_they_followed(
    live_server, no_script_page, smtp_server, run_tasks
):
    page = no_script_page
    letter = make_letter()
    partner = cohost(letter)
    page.goto(f"{live_server.url}/en/letters/stop-the-attacks/?source={PARTNER_CODE}")
    named = " ".join(page.locator(".letter__cohost").inner_text().split())
    assert named == "Co-hosted by Partner Aid"
    page.get_by_role("link", name="Add your organisation").first.click()
    page.wait_for_url(f"**/endorse/?source={PARTNER_CODE}")
    kicker = page.locator(".endorse__cohost").inner_text()
    assert kicker == "By Rights Watchers, co-hosted by Partner Aid"
    line = page.get_by_label(LINE, exact=False)
    assert not line.is_checked()  # nothing is ticked for the co-host

    fill_endorsement(page)
    tick_cohost_line(page)
    assert line.is_checked()
    page.get_by_role("button", name="Add our organisation").click()
    page.wait_for_url("**/letters/stop-the-attacks/endorse/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: now check your email"

    endorsement = Endorsement.objects.get()
    assert (endorsement.source, endorsement.cohost) == (PARTNER_CODE, partner)
    assert endorsement.cohost_consent_text.startswith(LINE)
    assert endorsement.cohost_consent_version == COHOST_OPT_IN_VERSION
    assert endorsement.status == Endorsement.Status.PENDING_EMAIL
    assert endorsement.shared_organisation() is None  # not the co-host's before it is confirmed

    run_tasks()
    page.goto(confirmation_link(smtp_server, live_server))
    page.get_by_role("button", name=re.compile("Confirm")).click()
    page.wait_for_url("**/letters/stop-the-attacks/endorse/confirmed/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Your email address is confirmed"
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.PENDING_REVIEW
    assert endorsement.shared_organisation() == partner.pk
