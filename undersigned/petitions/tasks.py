"""Background work for petitions. Tasks take primary keys and tolerate vanished rows."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from undersigned.emails.my_data import my_data_url
from undersigned.emails.sending import (
    TRANSIENT_ERRORS,
    Email,
    retry_later,
    send_batch_once,
    send_once,
)
from undersigned.pages.confirmations import make_token


def for_emails(signatures):
    """Signatures with what their emails show: the organiser, and each petition's titles
    read once per batch (not its texts' bodies, once per email)."""
    from .models import PetitionText

    titles = PetitionText.objects.only("petition_id", "language", "title")
    return signatures.select_related("petition__organiser").prefetch_related(
        Prefetch("petition__texts", queryset=titles)
    )


def _signature(signature_id: int):
    from .models import Signature

    return for_emails(Signature.objects.filter(pk=signature_id)).first()


def _email_context(signature) -> dict:
    petition = signature.petition
    text = petition.text_in(signature.language)
    with translation.override(signature.language):
        petition_url = settings.SITE_URL + petition.get_absolute_url()
        thanks_url = settings.SITE_URL + reverse("petitions:thanks", args=[petition.slug])
        confirm_url = settings.SITE_URL + reverse(
            "confirm", args=[make_token("signature", signature.pk)]
        )
    return {
        "name": signature.name,
        "title": text.title if text else petition.slug,
        "organiser": petition.organiser.name_in(signature.language),
        "petition_url": petition_url,
        "thanks_url": thanks_url,
        "confirm_url": confirm_url,
        "confirmed": signature.status == signature.Status.CONFIRMED,
        "confirmation_days": settings.CONFIRMATION_DAYS,
        "signed_on": signature.created_at,
        "expires_on": signature.created_at + timedelta(days=settings.CONFIRMATION_DAYS),
        "my_data_url": my_data_url(signature.email_digest, signature.language),
    }


def _send(context, this_task, template: str, signature_id: int, attempt: int) -> None:
    signature = _signature(signature_id)
    if signature is None or not signature.email:  # removed or erased before we got to it
        return
    key = f"task:{context.task_result.id}"
    try:
        send_once(key, template, signature.email, signature.language, _email_context(signature))
    except TRANSIENT_ERRORS as error:
        retry_later(this_task, (signature_id,), attempt, error)


FIRST_EMAIL = {"pending": "petitions/email/confirm", "confirmed": "petitions/email/thank_you"}


@task()
def send_first_emails(signature_ids: list[int], attempt: int = 0) -> int:
    """Each new signature's first email, the confirmation link or thanks (queued by the
    outbox, see outbox.py), a batch over one connection to the mail server. A signature
    erased or invalidated meanwhile gets none."""
    from .models import Signature

    signatures = for_emails(
        Signature.objects.held().filter(pk__in=signature_ids, status__in=FIRST_EMAIL)
    ).order_by("pk")
    emails, signature_of = [], {}
    for signature in signatures:
        key = f"petitions.first-email:{signature.pk}"
        template = FIRST_EMAIL[signature.status]
        context = _email_context(signature)
        emails.append(Email(key, template, signature.email, signature.language, context))
        signature_of[key] = signature.pk
    result = send_batch_once(emails)
    for failed in result.not_sent:
        ids = [signature_of[email.key] for email in failed.emails]
        retry_later(send_first_emails, (ids,), attempt, failed.error)
    return result.sent


REMINDER = "petitions/email/reminder"


def still_to_confirm(signature_ids):
    """Those of these signatures still waiting for confirmation, with data, not delivered."""
    from .models import Signature, State

    return for_emails(
        Signature.objects.held()
        .filter(pk__in=signature_ids, status=Signature.Status.PENDING)
        .exclude(petition__state=State.DELIVERED)
    ).order_by("pk")


@task()
def send_reminders(signature_ids: list[int], attempt: int = 0) -> int:
    """The one reminder of each unconfirmed signature (claimed by outbox.queue_reminders),
    a batch over one connection. One confirmed, erased or delivered meanwhile gets none."""
    emails = [
        Email(
            f"petitions.reminder:{signature.pk}",
            REMINDER,
            signature.email,
            signature.language,
            _email_context(signature),
        )
        for signature in still_to_confirm(signature_ids)
    ]
    result = send_batch_once(emails)
    for failed in result.not_sent:
        ids = [int(email.key.rsplit(":", 1)[1]) for email in failed.emails]
        retry_later(send_reminders, (ids,), attempt, failed.error)
    return result.sent


RESEND_EVERY = timedelta(minutes=5)  # after signing, and between two resends


@task(takes_context=True)
def resend_confirmation(context, petition_id: int, email_digest: str, attempt: int = 0) -> bool:
    """A signer asked for the confirmation email again. Whether the address signed is
    looked up here, never in the request, so the page answers alike for every address."""
    from .models import Signature

    signature = for_emails(
        Signature.objects.held().filter(petition_id=petition_id, email_digest=email_digest)
    ).first()
    # a retry after a mail-server failure was already claimed by the first attempt
    if signature is None or (attempt == 0 and not signature.claim_resend(RESEND_EVERY)):
        return False
    if not still_to_confirm([signature.pk]).exists():
        return False
    key = f"task:{context.task_result.id}"
    try:
        send_once(key, REMINDER, signature.email, signature.language, _email_context(signature))
    except TRANSIENT_ERRORS as error:
        retry_later(resend_confirmation, (petition_id, email_digest), attempt, error)
    return True


@task(takes_context=True)
def send_repeat_notice(context, signature_id: int, attempt: int = 0) -> None:
    _send(context, send_repeat_notice, "petitions/email/repeat", signature_id, attempt)


@task()
def remove_unconfirmed_signatures() -> int:
    """Pending signatures whose confirmation link has expired hold data for nothing."""
    from .models import Signature
    from .tallies import days_changed

    cutoff = timezone.now() - timedelta(days=settings.CONFIRMATION_DAYS)
    expired = Signature.objects.filter(status=Signature.Status.PENDING, created_at__lt=cutoff)
    with transaction.atomic():
        days_changed(expired)
        deleted, _ = expired.delete()
    return deleted


@task()
def roll_up_tallies(petition_id: int | None = None) -> int:
    """The daily roll-ups of one petition, or of every petition with signatures (queued by
    `undersigned housekeeping` and, when it finds days to roll up, by the progress page)."""
    from .models import Petition
    from .tallies import roll_up

    ids = (
        [petition_id]
        if petition_id
        else Petition.objects.exclude(state="draft").values_list("pk", flat=True)
    )
    return sum(roll_up(pk) for pk in ids if Petition.objects.filter(pk=pk).exists())
