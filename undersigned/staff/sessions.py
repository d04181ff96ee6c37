"""Short staff sessions: signed out after STAFF_IDLE_MINUTES without a request, and after
STAFF_SESSION_HOURS in all, whatever they do. Every sign-in is on the record, and one from
a browser the account has not used before is emailed to its owner."""

import secrets

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone, translation

from undersigned.audit.models import record
from undersigned.protection.clients import ip_hash
from undersigned.protection.crypto import keyed_digest

from . import logins, tasks
from .models import SignInDevice

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
WRITE_EVERY = 60  # seconds: the session is saved at most once a minute for the idle clock
# (or a quarter of the idle time, when that is shorter, so an active session never lapses)
DEVICE_COOKIE = "staff_device"
DEVICE_COOKIE_SALT = "undersigned.staff.device"
DEVICE_COOKIE_DAYS = 400
NEW_DEVICE = "_undersigned_new_staff_device"


def signed_in(sender, request, user, **kwargs):
    """user_logged_in: start the session's clocks, clear the account's failures, record."""
    if request is None:
        return
    moment = logins.now()
    request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = moment
    logins.forget_account(request, user.get_username())
    new_device = note_device(request, user)
    record(user, "sign_in.succeeded", client=ip_hash(request), new_device=new_device)


def note_device(request, user) -> bool:
    """Know the browser by its cookie, or give it one; email the owner when an account that
    has signed in before does so from a new browser. Returns whether the browser is new."""
    token = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT)
    browser = request.headers.get("User-Agent", "")[:200]
    if token:
        known = SignInDevice.objects.filter(user=user, token_digest=device_digest(token))
        if known.update(browser=browser, last_seen_at=timezone.now()):
            return False
    token = secrets.token_urlsafe(32)
    had_devices = SignInDevice.objects.filter(user=user).exists()
    SignInDevice.objects.create(user=user, token_digest=device_digest(token), browser=browser)
    setattr(request, NEW_DEVICE, token)
    if had_devices:
        when = timezone.now().strftime("%Y-%m-%d %H:%M")
        language = translation.get_language()
        tasks.tell_of_new_device.enqueue(user.pk, browser, when, language)
    return True


def device_digest(token: str) -> str:
    return keyed_digest("staff-device", token)


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            self.check(request)
        response = self.get_response(request)
        token = getattr(request, NEW_DEVICE, None)
        if token:
            response.set_signed_cookie(
                DEVICE_COOKIE,
                token,
                salt=DEVICE_COOKIE_SALT,
                max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def check(self, request) -> None:
        session = request.session
        moment = logins.now()
        started = session.get(SIGNED_IN_AT, moment)
        seen = session.get(SEEN_AT, moment)
        idle = moment - seen > settings.STAFF_IDLE_MINUTES * 60
        too_long = moment - started > settings.STAFF_SESSION_HOURS * 3600
        if idle or too_long:
            user = request.user
            logout(request)  # the admin sends the next page to the sign-in form
            record(user, "session.expired", reason="idle" if idle else "too_long")
            return
        session.setdefault(SIGNED_IN_AT, started)
        if moment - seen > min(WRITE_EVERY, settings.STAFF_IDLE_MINUTES * 15):
            session[SEEN_AT] = moment
