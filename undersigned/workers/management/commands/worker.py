import os
import socket
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import connections
from django.db.backends.signals import connection_created
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from undersigned.workers.outboxes import Dispatcher, drain_all
from undersigned.workers.recovery import Heartbeat
from undersigned.workers.resilient import ResilientWorker


class Command(BaseCommand):
    help = (
        "Run a task worker (django-tasks database backend) that drains the outboxes, beats "
        "a heartbeat and puts back the tasks of workers that died. Run as many as needed. "
        "It outlives database, cache and mail-server outages; only a bug or a signal stops it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--queue-name", default="*", help="Queues to run ('*' for all).")
        parser.add_argument(
            "--batch", action="store_true", help="Drain the outboxes, run every task, exit."
        )

    def handle(self, **options):
        with commits_not_waiting_for_the_disk():
            self.work(**options)

    def work(self, *, interval, queue_name, batch, **options):
        # host and PID first, so an operator can tell which process holds a running task
        worker_id = f"{socket.gethostname()[:30]}:{os.getpid()}:{get_random_string(12)}"
        worker = (Worker if batch else ResilientWorker)(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if batch:  # one pass in this thread: for tests, cron and one-off catch-ups
            drain_all()
            worker.run()
            return
        helpers = [Heartbeat(worker_id), Dispatcher(interval)]
        for helper in helpers:
            helper.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for helper in helpers:
                helper.stopping.set()
            for helper in helpers:
                helper.join(timeout=5)


def commit_without_waiting(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


@contextmanager
def commits_not_waiting_for_the_disk():
    """The worker's commits on PostgreSQL do not wait for the disk to flush (asynchronous
    commit, the server flushes within a fraction of a second): a sent email's marker costs
    a flush less, which a surge pays per email. A killed worker loses none of them; a
    crash of the database server can lose its last fraction of a second, all together and
    in order, so those tasks run again and an email may leave twice, never be lost.
    Signing, in the web, still waits for the disk."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:  # opened before (the checks, a test's)
            commit_without_waiting(None, connection)
    connection_created.connect(commit_without_waiting)
    try:
        yield
    finally:
        connection_created.disconnect(commit_without_waiting)
