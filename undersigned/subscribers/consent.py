"""The exact words someone agrees to when they ask for updates, versioned so that each
subscription can prove what it was."""

from django.utils import translation
from django.utils.translation import gettext

# Change the version whenever the wording below changes.
CONSENT_VERSION = "2026-12-02"


def consent_text(organisation_name: str, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()):
        return gettext(
            "Send me news and calls to action from %(organisation)s by email. I can "
            "unsubscribe at any time, from any of these emails."
        ) % {"organisation": organisation_name}
