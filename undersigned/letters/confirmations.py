"""The handler behind `/confirm/<token>/` for endorsements (see pages/confirmations.py)."""

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from undersigned.pages.confirmations import Confirmation

from . import services
from .models import Endorsement


class EndorsementConfirmation:
    def describe(self, pk: int) -> Confirmation | None:
        endorsement = Endorsement.objects.select_related("letter").filter(pk=pk).first()
        if endorsement is None:
            return None
        return Confirmation(
            title=endorsement.letter.title,
            question=_("Confirm the endorsement of %(name)s") % {"name": endorsement.name},
            button=_("Confirm the endorsement"),
            done=endorsement.status != Endorsement.Status.PENDING_EMAIL,
        )

    def confirm(self, pk: int) -> str:
        endorsement = services.confirm_endorsement(pk)
        letter = endorsement.letter.version_in(get_language()) or endorsement.letter
        return reverse("letters:confirmed", kwargs={"slug": letter.slug})
