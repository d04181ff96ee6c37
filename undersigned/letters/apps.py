from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "undersigned.letters"
    verbose_name = _("Sign-on letters")

    def ready(self):
        from undersigned.pages import actions, confirmations

        from . import signals  # noqa: F401  (PDFs follow their letters)
        from .confirmations import EndorsementConfirmation
        from .models import public_letters

        actions.register(public_letters)
        confirmations.register("endorsement", EndorsementConfirmation())
