"""Email confirmation links shared by every kind of action: `/confirm/<token>/`.

An app registers a handler for its kind ("signature", "endorsement"). The token is signed
with the site's secret and expires; it names the kind and the primary key, nothing personal.
The landing page asks for a click (a POST) because mail scanners open links before people do.
"""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core import signing

SALT = "undersigned.confirm"


class ConfirmationHandler(Protocol):
    def describe(self, pk: int) -> "Confirmation | None":
        """What the landing page shows, or None when the thing no longer exists."""

    def confirm(self, pk: int) -> str:
        """Confirm (harmless when already done) and return the URL to go to next."""


@dataclass
class Confirmation:
    title: str  # the action's title, shown on the landing page
    question: str  # e.g. "Confirm your signature"
    button: str
    done: bool = False  # already confirmed: the page says so and offers to continue


_handlers: dict[str, ConfirmationHandler] = {}


def register(kind: str, handler: ConfirmationHandler) -> None:
    _handlers[kind] = handler


def make_token(kind: str, pk: int) -> str:
    return signing.dumps([kind, pk], salt=SALT, compress=True)


def read_token(token: str) -> tuple[ConfirmationHandler, int]:
    """The handler and primary key a token names; raises signing.BadSignature (or its
    subclass SignatureExpired) when it is forged, damaged or too old."""
    max_age = settings.CONFIRMATION_DAYS * 24 * 3600
    kind, pk = signing.loads(token, salt=SALT, max_age=max_age)
    if kind not in _handlers or not isinstance(pk, int):
        raise signing.BadSignature("unknown confirmation kind")
    return _handlers[kind], pk
