"""The "see or erase my data" link that every email to a signer carries: a signed token
naming an email digest, never the address (the page itself is the supporters app's).

The digest is the keyed HMAC that signatures already carry (`protection.crypto.email_digest`),
so the link finds every signature of one address without the address being in the URL.
The salt is this link's own (no other signed value of the site can be replayed as one), and
the link expires after MY_DATA_LINK_DAYS: whoever finds an old email later cannot use it.
"""

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SALT = "undersigned.supporters.my-data"  # unchanged: links already sent keep working
DIGEST = re.compile(r"[0-9a-f]{64}")


def make_token(email_digest: str) -> str:
    return signing.dumps(email_digest, salt=SALT)


def read_token(token: str) -> str | None:
    """The digest a token names, or None when it is forged, damaged or too old."""
    max_age = settings.MY_DATA_LINK_DAYS * 24 * 3600
    try:
        digest = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return digest if isinstance(digest, str) and DIGEST.fullmatch(digest) else None


def my_data_url(email_digest: str, language: str) -> str:
    """The absolute link to the page of everything held under this email digest."""
    with translation.override(language):
        return settings.SITE_URL + reverse("supporters:my_data", args=[make_token(email_digest)])
