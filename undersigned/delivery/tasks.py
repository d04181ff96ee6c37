"""Background work for deliveries. Tasks take primary keys and claim their work atomically,
so that a retried task, or two workers, never build a package or send an email twice.

A task left running by a worker that died is put back in the queue with the same id
(undersigned.workers); the claims below recognise their own task and carry on."""

import logging
import time

from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from undersigned import replicas
from undersigned.emails.my_data import my_data_url
from undersigned.emails.sending import TRANSIENT_ERRORS, retry_later, send_templated_email

logger = logging.getLogger(__name__)

UPDATE_BATCH_SIZE = 500
PROGRESS_SECONDS = 0.5


class ProgressReporter:
    """Writes a package's `rows_written` at most twice a second, committed at once so staff
    see it. While PostgreSQL streams a COPY, the task's own connection is busy, so the
    reporter then uses a connection of its own."""

    def __init__(self, package_id: int, side_connection: bool = False):
        self.package_id = package_id
        self.last = 0.0
        self.side = connections.create_connection("default") if side_connection else None

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        if self.side is None:
            from .models import Package

            Package.objects.filter(pk=self.package_id).update(rows_written=rows)
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                "UPDATE delivery_package SET rows_written = %s WHERE id = %s",
                [rows, self.package_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


@task(takes_context=True)
def build_package(context, package_id: int) -> str:
    """Write a package's CSV (and, for a hand-over package, its PDF) into a scratch directory,
    then keep each complete file in the private storage (shared by every server), so running
    again after a crash simply starts over and replaces them."""
    return build(package_id, str(context.task_result.id))


def build(package_id: int, task_id: str) -> str:
    from django.db.models import Q

    from .exports import copy_available
    from .files import scratch_directory
    from .models import Package

    claimable = Q(status=Package.Status.QUEUED) | Q(status=Package.Status.RUNNING, task_id=task_id)
    claimed = Package.objects.filter(claimable, pk=package_id).update(
        status=Package.Status.RUNNING, started_at=timezone.now(), task_id=task_id
    )
    if not claimed:
        return "already taken"
    package = Package.objects.select_related("petition", "letter").get(pk=package_id)
    action = package.action
    rows = Package.objects.filter(pk=package_id)
    with_emails = package.kind == Package.Kind.EMAILS
    use_copy = copy_available() and action.is_petition and not with_emails
    reporter = ProgressReporter(package_id, side_connection=use_copy)
    try:
        with scratch_directory() as directory:
            replicas.or_primary(write_package_files, package, directory, reporter, use_copy)
        rows.update(status=Package.Status.DONE, step="", finished_at=timezone.now())
    except Exception as error:
        logger.exception("Package %s failed", package_id)
        rows.update(
            status=Package.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    finally:
        reporter.close()
    return "done"


def write_package_files(package, directory, reporter, use_copy: bool) -> None:
    """The package's CSV (and PDF), read from the replica when there is one, written into
    the scratch `directory` and kept on the private storage."""
    from .exports import exported_signatures, write_signatures_csv
    from .files import keep
    from .models import Package
    from .pdf import write_booklet_pdf, write_package_pdf

    action = package.action
    rows = Package.objects.filter(pk=package.pk)
    with_emails = package.kind == Package.Kind.EMAILS
    total = exported_signatures(action).count()
    rows.update(total_rows=total, step=Package.Step.CSV)
    suffix = "signatures-with-emails" if with_emails else "signatures"
    csv_path = directory / f"{action.slug}-{package.language}-{suffix}.csv"
    written, method = write_signatures_csv(
        action,
        csv_path,
        language=package.language,
        with_emails=with_emails,
        method="copy" if use_copy else "python",
        progress=reporter,
    )
    rows.update(
        rows_written=written,
        csv_file=keep(package, csv_path),
        csv_bytes=csv_path.stat().st_size,
        csv_method=method,
    )
    if package.kind == Package.Kind.HANDOVER:
        rows.update(step=Package.Step.PDF)
        pdf_path = directory / f"{action.slug}-{package.language}.pdf"
        write_package_pdf(package, pdf_path, csv_name=csv_path.name)
        rows.update(pdf_file=keep(package, pdf_path), pdf_bytes=pdf_path.stat().st_size)
    if package.kind == Package.Kind.HANDOVER and package.include_messages:
        rows.update(step=Package.Step.BOOKLET)
        booklet_path = directory / f"{action.slug}-{package.language}-messages.pdf"
        write_booklet_pdf(package, booklet_path)
        rows.update(
            booklet_file=keep(package, booklet_path), booklet_bytes=booklet_path.stat().st_size
        )


def update_recipients(delivery):
    from undersigned.petitions.models import Signature

    return Signature.objects.filter(
        petition_id=delivery.petition_id, status=Signature.Status.CONFIRMED, opt_in=True
    ).order_by("pk")


@task()
def queue_update_emails(delivery_id: int) -> int:
    """Split the opted-in signers into batches by primary-key range, one task per batch."""
    from .models import Delivery

    delivery = Delivery.objects.filter(pk=delivery_id, petition__isnull=False).first()
    if delivery is None:
        return 0
    recipients = update_recipients(delivery).values_list("pk", flat=True)
    start = recipients.first()
    batches = 0
    while start is not None:
        following = list(
            recipients.filter(pk__gte=start)[UPDATE_BATCH_SIZE : UPDATE_BATCH_SIZE + 1]
        )
        end = following[0] - 1 if following else None
        send_update_batch.enqueue(delivery_id, start, end)
        batches += 1
        start = following[0] if following else None
    return batches


@task(takes_context=True)
def send_update_batch(
    context, delivery_id: int, first_pk: int, last_pk: int | None, attempt: int = 0
) -> int:
    """Email the news of the delivery to the opted-in signers with first_pk <= pk <= last_pk.

    Each address is claimed (a unique row per delivery and address) before its email goes,
    so a repeated batch, or an address that signed twice, gets one email. A claim left
    unsent by this same task (its worker died between claiming and sending) is sent on the
    re-run. When the mail server refuses or times out, the batch is queued again later."""
    from .models import Delivery, UpdateEmail

    task_id = str(context.task_result.id)
    delivery = (
        Delivery.objects.select_related("petition__organiser")
        .prefetch_related("texts", "petition__texts", "petition__targets")
        .filter(pk=delivery_id, petition__isnull=False)
        .first()
    )
    if delivery is None:
        return 0
    signatures = update_recipients(delivery).filter(pk__gte=first_pk)
    if last_pk is not None:
        signatures = signatures.filter(pk__lte=last_pk)
    count = delivery.petition.signature_count()
    sent = 0
    for signature in signatures.only("name", "email", "email_digest", "language"):
        if not signature.email:  # erased since
            continue
        claim, created = UpdateEmail.objects.get_or_create(
            delivery=delivery,
            email_digest=signature.email_digest,
            defaults={"signature_id": signature.pk, "claimed_by": task_id},
        )
        if not created and (claim.sent_at is not None or claim.claimed_by != task_id):
            continue
        try:
            send_update(delivery, signature, count)
        except TRANSIENT_ERRORS as error:
            UpdateEmail.objects.filter(pk=claim.pk, sent_at__isnull=True).delete()
            retry_later(send_update_batch, (delivery_id, first_pk, last_pk), attempt, error)
            return sent
        except Exception:
            UpdateEmail.objects.filter(pk=claim.pk, sent_at__isnull=True).delete()
            raise
        UpdateEmail.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def send_update(delivery, signature, count: int) -> None:
    from .tokens import make_token

    language = signature.language
    action = delivery.action
    text = delivery.text_in(language)
    with translation.override(language):
        unsubscribe_url = settings.SITE_URL + reverse(
            "delivery:unsubscribe", args=[make_token(signature.pk)]
        )
    context = {
        "name": signature.name,
        "title": action.title(language),
        "organiser": action.organiser(language),
        "delivered_on": delivery.delivered_on,
        "recipients": delivery.recipients_in(language),
        "note": text.note if text else "",
        "count": count,
        "action_url": settings.SITE_URL + action.public_url(language),
        "unsubscribe_url": unsubscribe_url,
        "my_data_url": my_data_url(signature.email_digest, language),
    }
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    send_templated_email("delivery/email/update", signature.email, language, context, headers)
