from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "undersigned.api"
    verbose_name = "API"
