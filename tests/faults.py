"""Really breaking the database, for the fault tests (no mocks of our own code).
The fixtures `broken_midway` and `database_unreachable` in conftest.py use these."""

from contextlib import contextmanager

from django.db import connection
from django_tasks_db.models import DBTaskResult

from .conftest import free_port

TASKS = DBTaskResult._meta.db_table


def break_task_queue_inserts():
    """Make the database fail at the task-queue insert, after the action's own row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The database kills this very connection mid-transaction, as a crash or failover would.
            cursor.execute(
                "CREATE FUNCTION test_kill_connection() RETURNS trigger AS $$ BEGIN "
                "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER test_break BEFORE INSERT ON {TASKS} "
                "FOR EACH ROW EXECUTE FUNCTION test_kill_connection()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER test_break BEFORE INSERT ON {TASKS} "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )


def repair_task_queue_inserts():
    connection.close()  # the broken connection is gone; Django opens a new one
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS test_break ON {TASKS}")
            cursor.execute("DROP FUNCTION IF EXISTS test_kill_connection()")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS test_break")


@contextmanager
def unreachable_database():
    """Point the connection at a database that is not there (a stopped server)."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = free_port()
    else:
        connection.settings_dict["NAME"] = "/nonexistent/undersigned/db.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
