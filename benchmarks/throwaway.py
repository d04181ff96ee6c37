"""A PostgreSQL database of a benchmark's own: created from DATABASE_URL's name (with
Django's test prefix), migrated, and dropped afterwards, whatever happens."""

import os
import sys
from contextlib import contextmanager


@contextmanager
def throwaway_database():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database this benchmark may create and drop.")
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    creation = connection.creation
    test_name = creation._get_test_db_name()
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        creation.destroy_test_db(test_name, verbosity=0)  # closes the connection first
