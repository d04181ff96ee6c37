"""What happened that partners may be told of (signed webhooks): lower apps emit an event
inside the transaction that makes the change; the API app listens (see api/apps.py), so
nothing here knows of webhooks.

Events: signature.confirmed, signature.erased, endorsement.approved, action.closed,
action.delivered, subscriber.unsubscribed. `refs` hold ids only, never personal data: the
delivery reads what it may send when it is sent (an erased signer's data is gone by then).
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

EVENTS = (
    "signature.confirmed",
    "signature.erased",
    "endorsement.approved",
    "action.closed",
    "action.delivered",
    "subscriber.unsubscribed",
)

_listeners: list[Callable[[str, int, dict], None]] = []


def listen(listener: Callable[[str, int, dict], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def emit(event: str, organisation_id: int | None, **refs) -> None:
    """Tell the listeners. A listener's failure is logged and never undoes the change (a
    signature must not be lost because a webhook could not be queued); a listener that
    writes does so in a savepoint of its own (see `savepoint`), so that the signing path
    pays for one only when someone listens."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    if organisation_id is None:
        return
    for listener in _listeners:
        try:
            listener(event, organisation_id, refs)
        except Exception:  # the cache or the database failed: keep the change, say so
            logger.exception("Could not queue the %s webhook", event)


def savepoint():
    """For a listener's writes: a failure rolls back to here, not the caller's change."""
    return transaction.atomic()
