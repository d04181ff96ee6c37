"""Short staff sessions: signed out after STAFF_IDLE_MINUTES without a request, and after
STAFF_SESSION_HOURS in all, whatever they do. Every sign-in is on the record."""

from django.conf import settings
from django.contrib.auth import logout

from undersigned.audit.models import record
from undersigned.protection.clients import ip_hash

from . import logins

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
WRITE_EVERY = 60  # seconds: the session is saved at most once a minute for the idle clock


def signed_in(sender, request, user, **kwargs):
    """user_logged_in: start the session's clocks, clear the account's failures, record."""
    if request is None:
        return
    moment = logins.now()
    request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = moment
    logins.forget_account(request, user.get_username())
    record(user, "sign_in.succeeded", client=ip_hash(request))


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            self.check(request)
        return self.get_response(request)

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
        if moment - seen > WRITE_EVERY:
            session[SEEN_AT] = moment
