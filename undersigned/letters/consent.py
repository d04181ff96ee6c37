"""The "confirm or withdraw" link each listed organisation gets by email.

The token names an endorsement, is signed with the site's secret and expires after
ENDORSEMENT_LINK_DAYS. It opens a page with two buttons (a POST each: mail scanners open
links before people do)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "undersigned.letters.consent"


def make_token(endorsement_pk: int) -> str:
    return signing.dumps(endorsement_pk, salt=SALT)


def read_token(token: str) -> int | None:
    """The endorsement's primary key, or None when the token is forged, damaged or too old."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=settings.ENDORSEMENT_LINK_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) else None


# What an organisation may still withdraw from (not once refused, merged or withdrawn)
WITHDRAWABLE = ("pending_email", "pending_review", "approved")


def link_for(endorsement) -> str:
    """A fresh link to the endorsement's "confirm or withdraw" page, in the active language,
    or "" when there is nothing left to withdraw."""
    if endorsement.status not in WITHDRAWABLE:
        return ""
    return reverse("letters:consent", kwargs={"token": make_token(endorsement.pk)})
