"""Tasks whose worker died (killed, out of memory, machine lost) go back to the queue."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat
from .threads import Backoff, PeriodicThread

logger = logging.getLogger(__name__)


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": timezone.now()}
    )


def requeue_orphaned_tasks() -> int:
    """Running tasks whose worker has not beaten lately run again (tasks are written to be
    safe to run twice: emails carry a sent-marker keyed by the task's id)."""
    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    running = DBTaskResult.objects.running().values_list("id", "worker_ids")
    orphans = [pk for pk, worker_ids in running if not worker_ids or worker_ids[-1] not in alive]
    if orphans:
        requeued = requeue(DBTaskResult.objects.running().filter(pk__in=orphans))
        logger.warning("Requeued %d task(s) left running by a dead worker", requeued)
    WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    return len(orphans)


def requeue(tasks) -> int:
    return tasks.update(
        status="READY", started_at=None, finished_at=None, exception_class_path="", traceback=""
    )


def requeue_tasks_of(worker_id: str, status: str = "RUNNING", ids=None) -> int:
    """Put back in the queue the tasks (of `status`) that `worker_id` took last."""
    tasks = DBTaskResult.objects.filter(status=status)
    if ids is not None:
        tasks = tasks.filter(pk__in=ids)
    mine = [
        pk
        for pk, worker_ids in tasks.values_list("id", "worker_ids")
        if worker_ids[-1:] == [worker_id]
    ]
    return requeue(DBTaskResult.objects.filter(pk__in=mine, status=status)) if mine else 0


class Heartbeat(PeriodicThread):
    """Beats on time even through database trouble (no growing waits: a late beat would
    make a live worker look dead). Back from trouble, it judges no other worker dead for
    one WORKER_DEAD_AFTER_SECONDS: they were cut off as it was and need time to beat again;
    requeuing a live worker's task would run it twice at once."""

    def __init__(self, worker_id: str):
        super().__init__(f"heartbeat-{worker_id}", settings.WORKER_HEARTBEAT_SECONDS)
        self.worker_id = worker_id
        self.backoff = Backoff(first=self.interval, cap=self.interval)
        self.healthy_since = None

    def tick(self) -> None:
        try:
            beat(self.worker_id)
        except Exception:
            self.healthy_since = None
            raise
        now = time.monotonic()
        if self.healthy_since is None:
            self.healthy_since = now
        if now - self.healthy_since >= settings.WORKER_DEAD_AFTER_SECONDS:
            requeue_orphaned_tasks()

    def finish(self) -> None:
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        super().finish()
