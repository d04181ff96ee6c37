from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "undersigned.api"
    verbose_name = "API"

    def ready(self):
        from undersigned.workers import events, outboxes

        from . import webhooks

        events.listen(webhooks.queue_event)
        outboxes.register(webhooks.queue_due, due=webhooks.due)
