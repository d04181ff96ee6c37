from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from undersigned.pages.confirmations import Confirmation

from .models import Signature


class SignatureConfirmation:
    """The `/confirm/<token>/` handler for petition signatures."""

    def describe(self, pk: int) -> Confirmation | None:
        signature = Signature.objects.select_related("petition").filter(pk=pk).first()
        if signature is None:
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
        if signature is None:  # removed between the page and the click
            return reverse("home")
        if not signature.confirm() and signature.status == Signature.Status.PENDING:
            return signature.petition.get_absolute_url()  # delivered: too late to count
        return reverse("petitions:thanks", args=[signature.petition.slug]) + "?confirmed=1"
