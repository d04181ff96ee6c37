from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "undersigned.delivery"
    verbose_name = _("Delivery and progress")
