"""Background work for petitions. Tasks take primary keys and tolerate vanished rows."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from undersigned.emails.sending import send_templated_email
from undersigned.pages.confirmations import make_token


def _signature(signature_id: int):
    from .models import Signature

    return Signature.objects.select_related("petition__organiser").filter(pk=signature_id).first()


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
    }


def _send(template: str, signature_id: int) -> None:
    signature = _signature(signature_id)
    if signature is None:  # removed (expired or erased) before the worker got to it
        return
    send_templated_email(template, signature.email, signature.language, _email_context(signature))


@task()
def send_confirmation(signature_id: int) -> None:
    _send("petitions/email/confirm", signature_id)


@task()
def send_thank_you(signature_id: int) -> None:
    _send("petitions/email/thank_you", signature_id)


@task()
def send_repeat_notice(signature_id: int) -> None:
    _send("petitions/email/repeat", signature_id)


@task()
def remove_unconfirmed_signatures() -> int:
    """Pending signatures whose confirmation link has expired hold data for nothing."""
    from .models import Signature

    cutoff = timezone.now() - timedelta(days=settings.CONFIRMATION_DAYS)
    deleted, _ = Signature.objects.filter(
        status=Signature.Status.PENDING, created_at__lt=cutoff
    ).delete()
    return deleted
