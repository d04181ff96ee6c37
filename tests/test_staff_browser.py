"""A real Chromium: two organisations' campaigners sign in; each sees only its own
organisation's petitions, and a bulk close stops signing at once."""

import pytest

from undersigned.petitions.models import Petition, Signature, State
from undersigned.staff.roles import CAMPAIGNER

from .factories import make_petition
from .personas import PASSWORD, make_other_organiser, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.goto(f"{base}/admin/login/?next=/admin/petitions/petition/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/petitions/petition/")


def test_campaigners_see_their_own_and_a_bulk_close_stops_signing(live_server, page):
    ours = make_petition("ours", title="Our petition")
    theirs = make_petition("theirs", title="Their petition", organiser=make_other_organiser())
    member("nour", CAMPAIGNER, ours.organiser)
    member("karim", CAMPAIGNER, theirs.organiser)
    base = live_server.url

    page.goto(f"{base}/en/petitions/ours/")  # a visitor's copy of the page is cached
    assert page.get_by_role("textbox", name="Email").is_visible()

    sign_in(page, base, "nour")
    listing = page.locator("#result_list").inner_text()
    assert "Our petition" in listing and "Their petition" not in listing
    response = page.goto(f"{base}/admin/petitions/petition/{theirs.pk}/change/")
    assert response.status == 404

    page.goto(f"{base}/admin/petitions/petition/")
    page.get_by_role("row", name="Our petition").get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("close_selected")
    page.get_by_role("button", name="Go").click()
    assert "1 action closed." in page.locator(".messagelist").inner_text()
    assert Petition.objects.get(pk=ours.pk).state == State.CLOSED

    page.context.clear_cookies()
    page.goto(f"{base}/en/petitions/ours/")
    assert page.get_by_role("textbox", name="Email").count() == 0
    assert "closed" in page.locator("main").inner_text().lower()
    assert not Signature.objects.exists()

    sign_in(page, base, "karim")
    listing = page.locator("#result_list").inner_text()
    assert "Their petition" in listing and "Our petition" not in listing
