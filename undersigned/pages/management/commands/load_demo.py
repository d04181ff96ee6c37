from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

# Each app that has demo content adds its module here, in the order they depend on each other.
DEMO_MODULES = [
    "undersigned.organisations.demo",
    "undersigned.letters.demo",
    "undersigned.petitions.demo",
    "undersigned.delivery.demo",
    "undersigned.news.demo",
    "undersigned.staff.demo",
]


class Command(BaseCommand):
    help = "Load demo content and demo logins (safe to run again: it updates, not duplicates)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for module_name in DEMO_MODULES:
                loaded = import_module(module_name).load()
                self.stdout.write(f"{module_name}: {', '.join(loaded)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Back office: {settings.SITE_URL}/admin/  logins (username password "
                f"organisation role): {settings.DATA_DIR / 'demo-logins.txt'}\n"
                f"Emails are not sent: an operator reads them in the local outbox, "
                f"{settings.SITE_URL}/admin/emails/outboxmessage/"
            )
        )
