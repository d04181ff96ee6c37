from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscribersConfig(AppConfig):
    name = "undersigned.subscribers"
    verbose_name = _("Updates by email")

    def ready(self):
        from undersigned.pages import confirmations, extras

        from .confirmations import SubscriptionConfirmation
        from .fragments import home_sign_up, letter_sign_up, response_emailing

        confirmations.register("subscription", SubscriptionConfirmation())
        extras.register("action", letter_sign_up)
        extras.register("home", home_sign_up)
        extras.register("staff-response", response_emailing)
