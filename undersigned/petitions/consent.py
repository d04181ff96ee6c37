"""The exact opt-in wording a signer agrees to, versioned so that each opt-in can prove it."""

from django.utils import translation
from django.utils.translation import gettext

# Change the version whenever the wording below changes.
OPT_IN_VERSION = "2026-11-21"


def opt_in_text(organiser_name: str, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()):
        return gettext(
            "Keep me updated by email about this campaign and other actions by %(organiser)s. "
            "I can unsubscribe at any time."
        ) % {"organiser": organiser_name}


# Change the version whenever the co-host wording below changes.
COHOST_OPT_IN_VERSION = "2026-12-02"


def cohost_opt_in_text(cohost_name: str, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()):
        return gettext(
            "Keep me updated by email by %(cohost)s, which co-hosts this petition. My name and "
            "email go to %(cohost)s only if I tick this. I can unsubscribe at any time."
        ) % {"cohost": cohost_name}
