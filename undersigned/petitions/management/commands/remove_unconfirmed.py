from django.core.management.base import BaseCommand

from undersigned.petitions.tasks import remove_unconfirmed_signatures


class Command(BaseCommand):
    help = "Queue the removal of signatures never confirmed within CONFIRMATION_DAYS (run daily)."

    def handle(self, *args, **options):
        remove_unconfirmed_signatures.enqueue()
        self.stdout.write("Queued: remove unconfirmed signatures.")
