from django.db import models


class WorkerHeartbeat(models.Model):
    """A running task worker says it is alive every few seconds, from a thread of its own,
    even while it runs a long task. A worker that stops beating has died."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.seen_at}"
