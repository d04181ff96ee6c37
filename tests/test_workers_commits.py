"""The worker's commits do not wait for the disk to flush; every other process's do (a
thank-you is only shown once its signature is on disk)."""

import threading

import pytest
from django.db import connection, connections

from undersigned.workers.management.commands.worker import commits_not_waiting_for_the_disk

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's asynchronous commit"
    ),
    pytest.mark.django_db(transaction=True),
]


def synchronous_commit(conn) -> str:
    with conn.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def in_a_thread() -> str:
    seen = []

    def run():
        seen.append(synchronous_commit(connections["default"]))
        connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return seen[0]


def test_the_workers_connections_commit_without_waiting_and_no_one_elses():
    assert synchronous_commit(connection) == "on"  # opened before the worker started
    with commits_not_waiting_for_the_disk():
        assert synchronous_commit(connection) == "off"
        assert in_a_thread() == "off"  # the dispatcher's and heartbeat's own connections
        connection.close()
        assert synchronous_commit(connection) == "off"  # opened again after an outage
    assert in_a_thread() == "on"  # the worker stopped: the next connection waits again
    connection.close()
    assert synchronous_commit(connection) == "on"
