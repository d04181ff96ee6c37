"""Staff sign-ins are throttled per account and per client, and staff sessions are short;
each sign-in, failure and expiry is on the record."""

import os
import subprocess
import sys

import pytest

from undersigned.audit.models import AuditEntry
from undersigned.staff import logins

from .personas import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


class Clock:
    def __init__(self, monkeypatch):
        self.moment = 1_900_000_000.0
        monkeypatch.setattr(logins, "now", lambda: self.moment)

    def advance(self, seconds):
        self.moment += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def sign_in(client, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_wrong_passwords_are_slowed_then_even_the_right_one_waits(client, world, clock, settings):
    settings.LOGIN_FAILURES_ALLOWED = 5
    settings.LOGIN_WAIT_SECONDS = 60
    for _ in range(5):
        assert (
            "Please enter the correct username"
            in sign_in(client, "campaigner_a", "wrong").content.decode()
        )
    refused = sign_in(client, "campaigner_a", PASSWORD)
    assert refused.status_code == 200
    assert "Too many failed sign-ins. Try again in 1 minute." in refused.content.decode()
    assert "_auth_user_id" not in client.session

    clock.advance(61)
    sign_in(client, "campaigner_a", "wrong again")  # the sixth failure doubles the wait
    assert "Try again in 2 minutes" in sign_in(client, "campaigner_a", PASSWORD).content.decode()
    clock.advance(121)
    assert signed_in(sign_in(client, "campaigner_a", PASSWORD))

    failures = AuditEntry.objects.filter(action="sign_in.failed")
    assert failures.count() == 6
    refusals = AuditEntry.objects.filter(action="sign_in.refused", username="campaigner_a")
    assert [entry.detail["wait"] for entry in refusals.order_by("pk")] == [60, 120]
    assert {entry.detail["username"] for entry in failures} == {"campaigner_a"}
    assert all("wrong" not in str(entry.detail) for entry in failures)  # no passwords
    assert AuditEntry.objects.get(action="sign_in.succeeded").username == "campaigner_a"


def test_forwarded_for_headers_do_not_walk_past_the_throttle(client, world, clock, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for index in range(3):
        sign_in(client, "data_officer_a", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{index}")
    response = sign_in(client, "data_officer_a", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert "Too many failed sign-ins" in response.content.decode()


def test_one_client_guessing_many_accounts_is_locked_too(client, world, clock, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for username in ["viewer_a", "admin_a", "nobody"]:
        sign_in(client, username, "guess")
    response = sign_in(client, "campaigner_b", PASSWORD)
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_good_sign_in_clears_the_accounts_failures(client, world, clock, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for _ in range(2):
        sign_in(client, "viewer_a", "wrong")
    assert signed_in(sign_in(client, "viewer_a", PASSWORD))
    elsewhere = type(client)(REMOTE_ADDR="192.0.2.44")  # the account starts from zero again
    for _ in range(2):
        sign_in(elsewhere, "viewer_a", "wrong")
    assert "Please enter the correct" in sign_in(elsewhere, "viewer_a", "wrong").content.decode()


@pytest.mark.parametrize(
    ("username", "password"),
    [("", ""), ("x" * 5000, "pw"), ("campaigner_a\x00", "pw"), ("' OR 1=1 --", "x")],
)
def test_malformed_sign_ins_are_refused_plainly(client, world, clock, username, password):
    response = sign_in(client, username, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_idle_staff_session_ends(client, world, clock, settings):
    settings.STAFF_IDLE_MINUTES = 30
    assert signed_in(sign_in(client, "campaigner_a", PASSWORD))
    assert client.get("/admin/petitions/petition/").status_code == 200
    clock.advance(29 * 60)
    assert client.get("/admin/petitions/petition/").status_code == 200
    clock.advance(29 * 60)  # active: the idle clock started again
    assert client.get("/admin/petitions/petition/").status_code == 200
    clock.advance(31 * 60)
    response = client.get("/admin/petitions/petition/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert AuditEntry.objects.get(action="session.expired").detail == {"reason": "idle"}


def test_a_session_active_every_forty_seconds_outlives_a_one_minute_idle_time(
    client, world, clock, settings
):
    settings.STAFF_IDLE_MINUTES = 1
    assert signed_in(sign_in(client, "campaigner_a", PASSWORD))
    for _ in range(5):
        clock.advance(40)
        assert client.get("/admin/petitions/petition/").status_code == 200
    clock.advance(61)
    assert client.get("/admin/petitions/petition/").status_code == 302


@pytest.mark.parametrize(
    "name, value",
    [("STAFF_SESSION_HOURS", "72"), ("STAFF_IDLE_MINUTES", "0"), ("STAFF_IDLE_MINUTES", "600")],
)
def test_sessions_longer_than_a_working_day_are_refused_at_start_up(name, value):
    started = subprocess.run(
        [sys.executable, "-c", "import undersigned.settings"],
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
    )
    assert started.returncode != 0
    assert f"{name} must be between" in started.stderr


def test_the_csrf_cookie_is_out_of_reach_of_scripts(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response.cookies["csrftoken"]["httponly"]


def test_a_staff_session_ends_after_a_working_day_however_busy(client, world, clock, settings):
    settings.STAFF_SESSION_HOURS = 10
    assert signed_in(sign_in(client, "campaigner_a", PASSWORD))
    for _ in range(26):  # a request every 25 minutes: never idle
        clock.advance(25 * 60)
        response = client.get("/admin/")
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="session.expired").detail == {"reason": "too_long"}


def test_a_removed_member_loses_access_mid_session(client, world):
    from undersigned.staff.models import Membership

    client.force_login(world.personas.campaigner_a)
    url = f"/admin/petitions/petition/{world.a.open_petition.pk}/change/"
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=world.personas.campaigner_a).delete()
    assert client.get(url).status_code == 404
