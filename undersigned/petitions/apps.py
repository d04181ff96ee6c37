from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "undersigned.petitions"
    verbose_name = _("Petitions")

    def ready(self):
        from undersigned.pages import actions, confirmations
        from undersigned.workers import outboxes

        from .confirmation import SignatureConfirmation
        from .models import Petition
        from .outbox import due_emails, queue_due_emails, queue_reminders

        actions.register(Petition.objects.public_cards)
        confirmations.register("signature", SignatureConfirmation())
        outboxes.register(queue_due_emails, due=due_emails)
        outboxes.register(queue_reminders)
