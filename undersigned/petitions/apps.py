from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "undersigned.petitions"
    verbose_name = _("Petitions")

    def ready(self):
        from undersigned.pages import actions, confirmations

        from .confirmation import SignatureConfirmation
        from .models import Petition

        actions.register(Petition.objects.public_cards)
        confirmations.register("signature", SignatureConfirmation())
