"""A signature's first email (the confirmation link, or thanks) leaves through an outbox.

Signing writes one row, marked `email_due`, in a single INSERT: no second write and no
transaction on the hot path. The worker's dispatcher (workers.outboxes) then turns due rows
into email tasks here, in batches, each batch in one transaction: a row is unmarked exactly
when its task is queued, so every signature gets its email once. Each task sends up to
EMAILS_PER_TASK emails over one connection to the mail server.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from . import tasks
from .models import Signature

BATCH = 500
EMAILS_PER_TASK = 100
# The reminder query reads every pending signature older than a day: once a minute per
# process is plenty (the claim, not this pause, is what keeps a reminder to one).
REMINDER_CHECK_SECONDS = 60
_next_reminder_check = 0.0


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


def queue_reminders() -> int:
    """Claim up to BATCH unconfirmed signatures due their one reminder (signed more than
    CONFIRMATION_REMINDER_HOURS ago, first email sent, never reminded, link still valid)
    and queue their emails; return how many."""
    global _next_reminder_check
    hours = settings.CONFIRMATION_REMINDER_HOURS
    if not hours or time.monotonic() < _next_reminder_check:
        return 0
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Signature.objects.filter(
                status=Signature.Status.PENDING,
                created_at__lte=now - timedelta(hours=hours),
                created_at__gt=now - timedelta(days=settings.CONFIRMATION_DAYS),
                reminded_at__isnull=True,
                email_due=False,
            )
            .held()
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        for start in range(0, len(ids), EMAILS_PER_TASK):
            tasks.send_reminders.enqueue(ids[start : start + EMAILS_PER_TASK])
        Signature.objects.filter(pk__in=ids).update(reminded_at=now)
    if len(ids) < BATCH:
        _next_reminder_check = time.monotonic() + REMINDER_CHECK_SECONDS
    return len(ids)
