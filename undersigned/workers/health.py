"""How the background work is doing, for /healthz and the staff's admin home page:
the database and cache answer, the last worker heartbeat, and the emails waiting to leave.
Nothing personal: counts and ages only."""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Max, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from . import outboxes
from .models import WorkerHeartbeat

STALE_SECONDS = 60  # a worker silent this long is shown as not running


@dataclass
class Health:
    database: bool
    cache: bool
    heartbeat_at: datetime | None = None
    emails_due: int | None = None
    oldest_due_at: datetime | None = None

    @property
    def worker_stale(self) -> bool:
        return self.heartbeat_at is None or age(self.heartbeat_at) > STALE_SECONDS

    def as_json(self) -> dict:
        data = asdict(self)
        return {
            "status": "ok" if self.database else "unavailable",
            "database": self.database,
            "cache": self.cache,
            "worker_heartbeat_age_seconds": age(data.pop("heartbeat_at")),
            "worker_running": self.database and not self.worker_stale,
            "emails_due": self.emails_due,
            "oldest_due_email_age_seconds": age(data.pop("oldest_due_at")),
        }


def age(moment: datetime | None) -> float | None:
    return None if moment is None else round((timezone.now() - moment).total_seconds(), 1)


def check() -> Health:
    health = Health(database=False, cache=cache_answers())
    try:
        health.heartbeat_at = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
        health.emails_due, health.oldest_due_at = emails_due()
    except DatabaseError:
        return health
    health.database = True
    return health


def cache_answers() -> bool:
    cache.set("healthz", 1, 10)
    return cache.get("healthz") == 1


def emails_due() -> tuple[int, datetime | None]:
    """Emails still in an outbox, plus email tasks whose time has come (every email task
    is named send_…); and when the one that has waited longest became due."""
    now = timezone.now()
    tasks = DBTaskResult.objects.ready().filter(task_path__contains=".send_")
    count = tasks.count()
    oldest = [
        tasks.filter(run_after=get_date_max()).aggregate(at=Min("enqueued_at"))["at"],
        tasks.filter(run_after__lte=now).aggregate(at=Min("run_after"))["at"],
    ]
    for due in outboxes.due():
        waiting, since = due()
        count += waiting
        oldest.append(since)
    return count, min((at for at in oldest if at is not None), default=None)
