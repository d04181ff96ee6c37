"""A real Chromium: staff log in, record a delivery, and the public page shows it."""

import pytest
from django.contrib.auth import get_user_model

from .delivery_fixtures import closed_petition
from .second_factors import authenticator_app, give_code_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_record_a_delivery_and_the_public_page_shows_it(live_server, page):
    petition = closed_petition()
    deliverer = get_user_model().objects.create_superuser(
        "deliverer", "deliverer@example.org", "a-long-pw-1"
    )
    app = authenticator_app(deliverer)  # operators sign in with a second factor

    page.goto(f"{live_server.url}/admin/login/?next=/admin/delivery/petitionaction/")
    page.get_by_label("Username").fill("deliverer")
    page.get_by_label("Password").fill("a-long-pw-1")
    page.get_by_role("button", name="Log in").click()
    give_code_in_browser(page, app)
    page.wait_for_url("**/admin/delivery/petitionaction/")
    page.get_by_role("link", name="Free the detained").click()
    page.get_by_role("link", name="Record the delivery").click()

    page.get_by_label("Delivered on").fill("2025-04-02")
    page.get_by_label("How").select_option("email")
    page.get_by_label("Delivered to (English)").fill("the Secretary-General's office")
    page.get_by_label("Public note (English)").fill("Sent with a covering letter.")
    page.get_by_label("Delivered to (Arabic)").fill("مكتب الأمين العام")
    page.get_by_role("button", name="Record the delivery").click()
    page.wait_for_url(f"**/admin/delivery/petitionaction/{petition.pk}/change/")
    assert "The delivery is recorded" in page.locator(".messagelist").inner_text()

    page.goto(f"{live_server.url}/en/petitions/free-the-detained/")
    note = page.get_by_role(
        "region", name="Delivered to the Secretary-General's office on 2 April 2025"
    )
    assert note.is_visible()
    assert "Sent with a covering letter." in note.inner_text()
    assert "By email" in note.inner_text()

    page.goto(f"{live_server.url}/ar/petitions/free-the-detained/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "مكتب الأمين العام" in page.locator(".delivered-note").inner_text()
