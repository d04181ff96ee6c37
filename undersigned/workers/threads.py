"""The worker's helper threads, beside its task loop."""

import logging
import threading

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


class PeriodicThread(threading.Thread):
    """Calls tick() every `interval` seconds until `stopping` is set. A failing tick is
    logged and tried again at the next one: a helper must never take the worker down."""

    def __init__(self, name: str, interval: float):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def tick(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        connection.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.tick()
            except Exception:
                logger.exception("%s failed; trying again in %s s", self.name, self.interval)
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)
        self.finish()
