"""Outboxes: rows that carry "something still to queue" (a signature's first email), so
that a hot request writes one row instead of a row and a task. The worker drains each
registered outbox every poll; an app registers its drain function in its ready()."""

from collections.abc import Callable
from datetime import datetime

from .threads import PeriodicThread

# Each drains at most one batch and returns how many rows it handled.
_drains: list[Callable[[], int]] = []
# Each says how many rows wait in its outbox, and since when the oldest has waited.
_dues: list[Callable[[], tuple[int, datetime | None]]] = []


def register(drain: Callable[[], int], due: Callable | None = None) -> None:
    if drain not in _drains:
        _drains.append(drain)
    if due is not None and due not in _dues:
        _dues.append(due)


def due() -> list[Callable[[], tuple[int, datetime | None]]]:
    return list(_dues)


def drain_all() -> int:
    """Drain every outbox until it is empty; return how many rows were handled."""
    handled = 0
    for drain in _drains:
        while batch := drain():
            handled += batch
    return handled


class Dispatcher(PeriodicThread):
    """Drains the outboxes every `interval` seconds."""

    def __init__(self, interval: float):
        super().__init__("outbox-dispatcher", interval)

    def tick(self) -> None:
        drain_all()
