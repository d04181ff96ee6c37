from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import ngettext

from undersigned.audit.models import record
from undersigned.protection.clients import ip_hash

from . import logins, tasks


class ThrottledLoginForm(AdminAuthenticationForm):
    """The back office's sign-in: refused with the wait while the account or the client
    is locked (even with the right password); each failure counted and on the record."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = logins.wait_seconds(self.request, username)
        if wait:
            raise forms.ValidationError(
                refused(self.request, username, PASSWORD, wait), code="throttled"
            )
        try:
            return super().clean()
        except forms.ValidationError:
            failed(self.request, username, PASSWORD)
            raise


PASSWORD, CODE = "password", "code"  # the steps of a sign-in
AUDIT_OBJECT = {PASSWORD: "sign_in", CODE: "second_factor"}  # "<object>.failed" and so on


def failed(request, username: str, step: str) -> int:
    """Count a failed step of a sign-in and put it on the record; the account's owner is
    emailed when its failures reach the throttle. Returns the account's failures."""
    failures = logins.record_failure(request, username)
    account = account_named(username)
    if account and failures == settings.LOGIN_FAILURES_ALLOWED:
        language = translation.get_language()
        tasks.warn_of_failed_sign_ins.enqueue(account.pk, failures, language, step)
    action = f"{AUDIT_OBJECT[step]}.failed"
    record(account, action, username=username[:150], client=ip_hash(request), failures=failures)
    return failures


def refused(request, username: str, step: str, wait: int) -> str:
    """A sign-in step refused while the account or the client waits: on the record."""
    record(
        account_named(username),
        f"{AUDIT_OBJECT[step]}.refused",
        username=username[:150],
        client=ip_hash(request),
        wait=wait,
    )
    return refusal(wait)


def refusal(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)s minute.",
        "Too many failed sign-ins. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def account_named(username: str):
    """The account a failed sign-in was for, if there is one (its admins see the entry)."""
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username[:150]}).first()
