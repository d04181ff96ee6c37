"""Bot traps shared by the public forms: a field people never see (left empty by them,
filled by bots) and a signed time the form was shown (bots send it back within a second
or not at all)."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _


def start_token(salt: str) -> str:
    return signing.dumps(int(time.time()), salt=salt)


class BotTrapsMixin:
    """For a form with a hidden trap field named `trap_field` and a hidden `started`."""

    trap_field = "website"
    start_salt = "undersigned.form-started"
    started_value = None  # set to a placeholder when a page is rendered for the cache

    @property
    def filled_by_a_bot(self) -> bool:
        return bool(self.data.get(self.trap_field))

    def too_fast(self) -> bool:
        if settings.MIN_FILL_SECONDS <= 0:
            return False
        started = self.data.get("started", "")
        if len(started) > 200:  # a real token is ~40 characters
            return True
        try:
            shown_at = signing.loads(started, salt=self.start_salt)
        except signing.BadSignature:
            return True
        return time.time() - shown_at < settings.MIN_FILL_SECONDS

    def fresh_start(self) -> str:
        """The hidden `started` value for the form as rendered now."""
        return self.started_value or start_token(self.start_salt)

    def check_pace(self) -> None:
        """Call from clean(): a form sent back too fast (or without its time) goes back."""
        if not self.errors and not self.filled_by_a_bot and self.too_fast():
            raise forms.ValidationError(
                _("Please check your details and send the form again."), code="too_fast"
            )
