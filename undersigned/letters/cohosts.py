"""A letter's co-hosts on its pages: the one whose link (`?source=<code>`) the visitor used,
and the opt-in line its contact may tick (docs/partners.md, "Co-hosted actions")."""

from django.utils import translation
from django.utils.translation import gettext

from undersigned.actions.cohosts import sanitise_source

from .models import CoHost, Letter

# Change the version whenever the wording below changes.
COHOST_OPT_IN_VERSION = "2026-12-02"


def cohost_opt_in_text(cohost_name: str, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()):
        return gettext(
            "Keep me updated by email by %(cohost)s, which co-hosts this letter. My name and "
            "email go to %(cohost)s only if I tick this. I can unsubscribe at any time."
        ) % {"cohost": cohost_name}


def cohost_for(letter: Letter, source: str | None) -> CoHost | None:
    """The co-host of the letter (its original) whose link carries this `?source=` code,
    or None: most sources are not a co-host's, and an unknown one is refused nothing."""
    code = sanitise_source(source)
    if not code:
        return None
    return (
        CoHost.objects.filter(letter_id=letter.original.pk, code=code)
        .select_related("organisation")
        .first()
    )
