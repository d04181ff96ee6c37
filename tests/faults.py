"""Really breaking the database, for the fault tests (no mocks of our own code).
The fixtures `broken_midway` and `database_unreachable` in conftest.py use these."""

from contextlib import contextmanager

from django.db import connection
from django_tasks_db.models import DBTaskResult

from .conftest import free_port

TASKS = DBTaskResult._meta.db_table


def break_writes(table: str, events: tuple[str, ...] = ("INSERT",)) -> None:
    """Make the database fail when a row of `table` is written (after any earlier writes of
    the same transaction): on PostgreSQL it kills this very connection mid-transaction, as a
    crash or failover would; on SQLite the write fails with an operational error."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION test_kill_connection() RETURNS trigger AS $$ BEGIN "
                "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER test_break BEFORE {' OR '.join(events)} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_kill_connection()"
            )
        else:
            for event in events:
                # an operational error (a table gone), not RAISE(): that one is reported as
                # a constraint failure, which code may rightly treat as a race it can handle
                trigger = f"test_break_{event.lower()} BEFORE {event} ON {table}"
                cursor.execute(f"CREATE TRIGGER {trigger} BEGIN DELETE FROM test_vanished; END")  # noqa: S608


def repair_writes(table: str) -> None:
    connection.close()  # the broken connection is gone; Django opens a new one
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS test_break ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS test_kill_connection()")
        else:
            for event in ("insert", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS test_break_{event}")


def break_task_queue_inserts():
    """Make the database fail at the task-queue insert, after the action's own row."""
    break_writes(TASKS)


def repair_task_queue_inserts():
    repair_writes(TASKS)


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
