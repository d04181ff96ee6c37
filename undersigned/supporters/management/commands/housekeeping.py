from django.core.management.base import BaseCommand

from undersigned.actions.tasks import close_due_actions
from undersigned.letters.tasks import send_review_digests
from undersigned.news.tasks import roll_up_views
from undersigned.petitions.tasks import remove_unconfirmed_signatures, roll_up_tallies
from undersigned.protection.tasks import forget_old_day_keys
from undersigned.supporters.tasks import erase_expired_signer_data

DAILY_TASKS = [
    (close_due_actions, "close the actions past their closing date"),
    (erase_expired_signer_data, "erase signers' data past its retention"),
    (remove_unconfirmed_signatures, "remove signatures never confirmed"),
    (forget_old_day_keys, "forget the day keys of client-address hashes"),
    (send_review_digests, "email staff the endorsements waiting for their review"),
    (roll_up_views, "store the day counts of post views"),
    (roll_up_tallies, "roll up the finished days of every petition's signatures"),
]


class Command(BaseCommand):
    help = (
        "Queue the daily housekeeping tasks (scheduled closing, retention erasure, unconfirmed "
        "signatures, day keys). Run it once a day from cron or a systemd timer; a task worker does the work."
    )

    def handle(self, *args, **options):
        for daily_task, description in DAILY_TASKS:
            daily_task.enqueue()
            if options["verbosity"]:
                self.stdout.write(f"Queued: {description}.")
