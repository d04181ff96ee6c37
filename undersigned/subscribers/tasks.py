from django.conf import settings
from django.utils import translation
from django_tasks import task

from undersigned.emails.my_data import my_data_url
from undersigned.emails.sending import TRANSIENT_ERRORS, retry_later, send_once
from undersigned.pages.confirmations import make_token

from .tokens import list_headers


@task(takes_context=True)
def send_confirmation(context, subscription_id: int, attempt: int = 0) -> bool:
    """The double opt-in link. Keyed by the task, so a task run twice sends once, while a
    second sign-up (a new task) sends the link again."""
    from django.urls import reverse

    from .models import Subscription

    subscription = (
        Subscription.objects.select_related("organisation")
        .filter(pk=subscription_id, status=Subscription.Status.PENDING)
        .first()
    )
    if subscription is None:
        return False
    language = subscription.language
    with translation.override(language):
        confirm_url = settings.SITE_URL + reverse(
            "confirm", args=[make_token("subscription", subscription.pk)]
        )
    email_context = {
        "name": subscription.name,
        "organisation": subscription.organisation.name_in(language),
        "confirm_url": confirm_url,
        "consent": subscription.consent_text,
        "confirmation_days": settings.CONFIRMATION_DAYS,
        "my_data_url": my_data_url(subscription.email_digest, language),
    }
    try:
        return send_once(
            f"task:{context.task_result.id}",
            "subscribers/email/confirm",
            subscription.email,
            language,
            email_context,
            headers=list_headers(subscription.pk, language),
        )
    except TRANSIENT_ERRORS as error:
        retry_later(send_confirmation, (subscription_id,), attempt, error)
        return False


UPDATE_BATCH_SIZE = 200


@task()
def prepare_update(update_id: int) -> int:
    """Claim a row per address (again harmlessly after a crash), then queue the batches."""
    from .models import Recipient, Update
    from .updates import audience

    update = Update.objects.filter(pk=update_id, status=Update.Status.SENDING).first()
    if update is None:
        return 0
    people = audience(update).order_by("pk").values_list("pk", "email_digest")
    field = "signature_id" if update.audience == Update.Audience.SIGNERS else "subscription_id"
    chunk = []
    for pk, digest in people.iterator(chunk_size=2000):
        chunk.append(Recipient(update=update, email_digest=digest, **{field: pk}))
        if len(chunk) >= 2000:
            Recipient.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    Recipient.objects.bulk_create(chunk, ignore_conflicts=True)
    waiting = Recipient.objects.filter(update=update, status=Recipient.Status.WAITING)
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), UPDATE_BATCH_SIZE):
        batch = ids[start : start + UPDATE_BATCH_SIZE]
        send_update_batch.enqueue(update_id, batch[0], batch[-1])
    finish_if_done(update_id)
    return len(ids)


@task()
def send_update_batch(update_id: int, first_pk: int, last_pk: int, attempt: int = 0) -> int:
    """Send the waiting recipients first_pk..last_pk over one connection. A refusal of one
    address is recorded against it; a failed connection puts the batch back for later."""
    import smtplib

    from django.utils import timezone

    from undersigned.emails.models import SentEmail
    from undersigned.emails.sending import send_batch_once

    from .models import Recipient, Update
    from .updates import email_for

    update = (
        Update.objects.select_related("organisation")
        .prefetch_related("texts")
        .filter(pk=update_id)
        .first()
    )
    if update is None:
        return 0
    recipients = list(
        Recipient.objects.filter(
            update=update, status=Recipient.Status.WAITING, pk__gte=first_pk, pk__lte=last_pk
        ).select_related("subscription", "signature")
    )
    emails, recipient_of, gone = [], {}, []
    for recipient in recipients:
        email = email_for(update, recipient)
        if email is None:
            gone.append(recipient.pk)
            continue
        emails.append(email)
        recipient_of[email.key] = recipient.pk
    Recipient.objects.filter(pk__in=gone).update(status=Recipient.Status.SKIPPED)
    result = send_batch_once(emails)
    sent_keys = SentEmail.objects.filter(key__in=list(recipient_of)).values_list("key", flat=True)
    Recipient.objects.filter(pk__in=[recipient_of[key] for key in sent_keys]).update(
        status=Recipient.Status.SENT, sent_at=timezone.now()
    )
    retry = None
    for failed in result.not_sent:
        error = failed.error
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            status = Recipient.Status.REFUSED
        elif isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
            status = Recipient.Status.BOUNCED
        else:
            retry = error  # "try again later", or the connection failed: the batch goes back
            continue
        ids = [recipient_of[email.key] for email in failed.emails]
        Recipient.objects.filter(pk__in=ids).update(status=status, error=str(error)[:300])
    if retry is not None:
        retry_later(send_update_batch, (update_id, first_pk, last_pk), attempt, retry)
    finish_if_done(update_id)
    return result.sent


def finish_if_done(update_id: int) -> None:
    from django.utils import timezone

    from .models import Recipient, Update

    if not Recipient.objects.filter(update_id=update_id, status=Recipient.Status.WAITING).exists():
        Update.objects.filter(pk=update_id, status=Update.Status.SENDING).update(
            status=Update.Status.SENT, finished_at=timezone.now()
        )


@task(takes_context=True)
def send_test_update(context, update_id: int, user_id: int, language: str, attempt: int = 0):
    """The update as a recipient would get it, to the staff member who asked, marked as a test."""
    from django.contrib.auth import get_user_model

    from .models import Update
    from .updates import TEMPLATE, email_context

    update = Update.objects.select_related("organisation").filter(pk=update_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if update is None or user is None or not user.email:
        return False
    email = email_context(update, language, user.get_full_name(), unsubscribe="")
    email["test"] = True
    try:
        return send_once(f"task:{context.task_result.id}", TEMPLATE, user.email, language, email)
    except TRANSIENT_ERRORS as error:
        retry_later(send_test_update, (update_id, user_id, language), attempt, error)
        return False
