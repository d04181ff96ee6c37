"""A real Chromium: a data officer enrols an authenticator app, then a security key (the
browser's virtual authenticator), and signs in again with each; an idle session ends."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from undersigned.audit.models import AuditEntry
from undersigned.staff.roles import DATA_OFFICER

from .factories import make_organiser
from .personas import PASSWORD, member
from .second_factors import code_now, give_code_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.goto(f"{base}/admin/login/?next=/admin/petitions/signature/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def virtual_security_key(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_enrol_an_app_and_a_security_key_then_sign_in_with_each(live_server, page, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    officer = member("huda", DATA_OFFICER, make_organiser())
    base = live_server.url
    assert "localhost" in base

    sign_in(page, base, "huda")
    page.wait_for_url("**/admin/second-factor/enrol/**")
    assert "add a second factor before you go on" in page.content()
    page.get_by_role("link", name="Add an authenticator app").click()
    secret = re.sub(r"\s", "", page.locator("code.secret").inner_text())
    assert len(secret) >= 32
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    page.get_by_label("Code").fill(code_now(device))
    page.get_by_role("button", name="Add the app").click()
    assert page.locator("ul.codes li").count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/admin/petitions/signature/")

    virtual_security_key(page)
    page.goto(f"{base}/admin/second-factor/key/?next=/admin/second-factor/")
    page.get_by_role("button", name="Add a security key").click()
    page.wait_for_url(f"{base}/admin/second-factor/")
    assert WebAuthnCredential.objects.filter(user=officer, confirmed=True).count() == 1

    page.context.clear_cookies()
    sign_in(page, base, "huda")
    page.wait_for_url("**/admin/second-factor/verify/**")
    page.get_by_role("button", name="Use my security key").click()
    page.wait_for_url("**/admin/petitions/signature/")

    page.context.clear_cookies()
    sign_in(page, base, "huda")
    device.refresh_from_db()
    page.wait_for_timeout(100)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # a fresh code, not a replay
    give_code_in_browser(page, device)
    page.wait_for_url("**/admin/petitions/signature/")

    kinds = list(
        AuditEntry.objects.filter(user=officer, action__startswith="second_factor.")
        .order_by("pk")
        .values_list("action", "detail__kind")
    )
    assert kinds == [
        ("second_factor.added", "app"),
        ("second_factor.added", "security_key"),
        ("second_factor.verified", "security_key"),
        ("second_factor.verified", "app"),
    ]


def test_an_idle_session_expires(live_server, page, settings):
    from django.contrib.sessions.models import Session

    member("sami", "campaigner", make_organiser())
    sign_in(page, live_server.url, "sami")
    page.goto(f"{live_server.url}/admin/")
    assert (
        page.get_by_role("link", name="Log out").count()
        + page.get_by_role("button", name="Log out").count()
    )
    for session in Session.objects.all():  # half an hour later
        data = session.get_decoded()
        data["staff_seen_at"] -= settings.STAFF_IDLE_MINUTES * 60 + 1
        session.session_data = Session.objects.encode(data)
        session.save()
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url
    assert AuditEntry.objects.filter(action="session.expired", detail__reason="idle").exists()
