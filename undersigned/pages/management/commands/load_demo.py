import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

# Each app that has demo content adds its module here, in the order they depend on each other.
DEMO_MODULES = [
    "undersigned.organisations.demo",
    "undersigned.letters.demo",
    "undersigned.petitions.demo",
    "undersigned.delivery.demo",
]

STAFF_USERNAME = "staff"


class Command(BaseCommand):
    help = "Load demo content (safe to run again: it updates instead of duplicating)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-staff", action="store_true", help="Do not create the demo staff login."
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            for module_name in DEMO_MODULES:
                loaded = import_module(module_name).load()
                self.stdout.write(f"{module_name}: {', '.join(loaded)}")
        if not options["no_staff"]:
            self.ensure_staff_login()

    def ensure_staff_login(self) -> None:
        """A superuser for the demo; its password is kept in the data dir and shown each run."""
        password_file = settings.DATA_DIR / "staff-password.txt"
        User = get_user_model()
        user = User.objects.filter(username=STAFF_USERNAME).first()
        if user is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            user = user or User(username=STAFF_USERNAME, email="staff@example.org")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            password_file.write_text(password)
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        self.stdout.write(
            self.style.SUCCESS(
                f"Staff login: {settings.SITE_URL}/admin/  user: {STAFF_USERNAME}  password: {password}"
            )
        )
