from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportersConfig(AppConfig):
    """The people who sign: their rights over their data (see it, download it, erase it),
    how long it is kept, and the staff's review of suspicious signatures."""

    name = "undersigned.supporters"
    verbose_name = _("Signers and their data")
