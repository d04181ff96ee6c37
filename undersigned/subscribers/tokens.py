"""Unsubscribe links: a signed token naming a subscription's primary key, nothing personal.

They never expire (an unsubscribe link must keep working) and their salt is their own."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SALT = "undersigned.subscribers.unsubscribe"


def make_token(subscription_pk: int) -> str:
    return signing.dumps(subscription_pk, salt=SALT)


def read_token(token: str) -> int | None:
    if len(token) > 200:
        return None
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) else None


def unsubscribe_url(subscription_pk: int, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(
            "subscribers:unsubscribe", args=[make_token(subscription_pk)]
        )


def list_headers(subscription_pk: int, language: str) -> dict:
    """RFC 2369 and RFC 8058: mail programs offer their own one-click unsubscribe button."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription_pk, language)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
