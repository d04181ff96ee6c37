"""The task loop of django-tasks-db, made to outlive passing faults.

Upstream's loop stops at the first database error that is not "database is locked" (a
server restart, a lost connection), and "locked" itself escapes it while it opens its
transaction. Here such errors are logged and the loop starts again after a growing wait;
anything else (a real bug) still stops the worker, and so does a signal.
"""

import contextlib
import logging
import time

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from redis.exceptions import RedisError

from .recovery import requeue_tasks_of
from .threads import Backoff

logger = logging.getLogger(__name__)

# Faults of the moment: the database or the cache is away, locked or restarting.
TRANSIENT = (OperationalError, InterfaceError, RedisError)
RESET_AFTER = 60  # seconds without trouble after which the waits start short again


class ResilientWorker(Worker):
    def __init__(self, *, max_backoff: float = 30.0, **kwargs):
        super().__init__(**kwargs)
        self.backoff = Backoff(cap=max_backoff)
        self.last_trouble = 0.0

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return  # stopped by a signal, or finished its batch
            except TRANSIENT:
                self.wait_out_trouble()

    def wait_out_trouble(self) -> None:
        if time.monotonic() - self.last_trouble > RESET_AFTER:
            self.backoff.reset()
        self.last_trouble = time.monotonic()
        wait = self.backoff.next()
        logger.warning(
            "Task worker: database or cache trouble; retrying in %s s", wait, exc_info=True
        )
        self.startup_delay = False
        for connection in connections.all(initialized_only=True):
            with contextlib.suppress(DatabaseError):  # a broken connection may fail to close
                connection.close()
        time.sleep(wait)  # a signal here exits at once (upstream's handler)
        close_old_connections()
        self.put_back_own_tasks()

    def put_back_own_tasks(self) -> None:
        """A task this worker was running when the fault struck never finished: run it again
        (tasks are safe to run twice). If the database is still away, the next loop says so."""
        try:
            requeue_tasks_of(self.worker_id)
        except TRANSIENT:
            logger.warning("Task worker: could not put back its tasks yet")

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """A task that failed only because the database or cache was away runs again."""
        super().run_task(db_task_result)
        if db_task_result.status == "FAILED" and is_transient(db_task_result.exception_class_path):
            logger.warning("Task %s met a passing fault; it will run again", db_task_result.id)
            requeue_tasks_of(self.worker_id, status="FAILED", ids=[db_task_result.id])


def is_transient(exception_class_path: str) -> bool:
    try:
        error = import_string(exception_class_path)
    except ImportError:
        return False
    return isinstance(error, type) and issubclass(error, TRANSIENT)
