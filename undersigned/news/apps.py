from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "undersigned.news"
    verbose_name = _("News and press")

    def ready(self):
        from undersigned.pages import extras

        from .fragments import latest_posts

        extras.register("action", latest_posts)
