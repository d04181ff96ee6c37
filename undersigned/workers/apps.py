from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "undersigned.workers"
    verbose_name = _("Task workers")
