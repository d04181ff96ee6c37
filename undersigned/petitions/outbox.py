"""A signature's first email (the confirmation link, or thanks) leaves through an outbox.

Signing writes one row, marked `email_due`, in a single INSERT: no second write and no
transaction on the hot path. The worker's dispatcher (workers.outboxes) then turns due rows
into email tasks here, in batches, each batch in one transaction: a row is unmarked exactly
when its task is queued, so every signature gets its email once. Each task sends up to
EMAILS_PER_TASK emails over one connection to the mail server.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Min

from . import tasks
from .models import Signature

BATCH = 500
EMAILS_PER_TASK = 100


def queue_due_emails() -> int:
    """Queue the first email of up to BATCH due signatures; return how many were handled."""
    with transaction.atomic():
        due = list(
            Signature.objects.filter(email_due=True)
            .select_for_update(skip_locked=True)  # two workers take different rows
            .order_by("pk")
            .values_list("pk", "status")[:BATCH]
        )
        # an invalidated signature gets no email; the task checks again when it sends
        ids = [pk for pk, status in due if status in tasks.FIRST_EMAIL]
        for start in range(0, len(ids), EMAILS_PER_TASK):
            tasks.send_first_emails.enqueue(ids[start : start + EMAILS_PER_TASK])
        Signature.objects.filter(pk__in=[pk for pk, _status in due]).update(email_due=False)
    return len(due)


def due_emails() -> tuple[int, datetime | None]:
    """How many signatures still owe their first email, and since when (health page)."""
    found = Signature.objects.filter(email_due=True).aggregate(n=Count("pk"), at=Min("created_at"))
    return found["n"], found["at"]
