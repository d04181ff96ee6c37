from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from undersigned.pages.confirmations import Confirmation

from .models import Signature


class SignatureConfirmation:
    """The `/confirm/<token>/` handler for petition signatures."""

    def describe(self, pk: int) -> Confirmation | None:
        signature = Signature.objects.select_related("petition").filter(pk=pk).first()
        if signature is None or expired(signature):
            return None
        text = signature.petition.text_in(translation.get_language())
        return Confirmation(
            title=text.title if text else signature.petition.slug,
            question=_("Confirm your signature"),
            button=_("Yes, count my signature"),
            done=signature.status == Signature.Status.CONFIRMED,
        )

    def confirm(self, pk: int) -> str:
        signature = Signature.objects.select_related("petition").filter(pk=pk).first()
        if signature is None or expired(signature):  # gone since the page was opened
            return reverse("home")
        if not signature.confirm() and signature.status == Signature.Status.PENDING:
            return signature.petition.get_absolute_url()  # delivered: too late to count
        return reverse("petitions:thanks", args=[signature.petition.slug]) + "?confirmed=1"


def expired(signature: Signature) -> bool:
    """Unconfirmed past CONFIRMATION_DAYS, as its emails say: a later link (a reminder's or
    a resent one is younger than the signature) no longer counts it, even before the daily
    housekeeping removes it."""
    too_old = timezone.now() - timedelta(days=settings.CONFIRMATION_DAYS)
    return signature.status == Signature.Status.PENDING and signature.created_at < too_old
