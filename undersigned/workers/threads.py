"""The worker's helper threads, beside its task loop."""

import logging
import threading

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


class Backoff:
    """Growing waits after repeated failures: first, 2×first, 4×first… up to `cap` seconds."""

    def __init__(self, first: float = 0.5, cap: float = 30.0):
        self.first, self.cap = first, cap
        self.current = first

    def next(self) -> float:
        wait = self.current
        self.current = min(self.current * 2, self.cap)
        return wait

    def reset(self) -> None:
        self.current = self.first


class PeriodicThread(threading.Thread):
    """Calls tick() every `interval` seconds until `stopping` is set. A failing tick is
    logged and tried again after a growing wait: a helper must never take the worker down."""

    def __init__(self, name: str, interval: float):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.backoff = Backoff(first=max(interval, 0.5))

    def tick(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        connection.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            wait = self.interval
            try:
                self.tick()
                self.backoff.reset()
            except Exception:
                wait = self.backoff.next()
                logger.exception("%s failed; trying again in %s s", self.name, wait)
            finally:
                close_old_connections()
            self.stopping.wait(wait)
        try:
            self.finish()
        except Exception:  # stopping while the database is away: the row simply expires
            logger.exception("%s could not finish cleanly", self.name)
