import os
import socket

from django.core.management.base import BaseCommand
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

    def handle(self, *, interval, queue_name, batch, **options):
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
