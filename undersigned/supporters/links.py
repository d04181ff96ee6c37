"""The "see or erase my data" link that every email to a signer carries."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .tokens import make_token


def my_data_url(email_digest: str, language: str) -> str:
    """The absolute link to the page of everything held under this email digest."""
    with translation.override(language):
        return settings.SITE_URL + reverse("supporters:my_data", args=[make_token(email_digest)])
