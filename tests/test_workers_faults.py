"""The real `undersigned worker`, in a process of its own, outlives a database that is
locked, cut off or refusing connections, and a mail server that is down: it carries on and
sends the emails afterwards, each once. Only a signal stops it."""

import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.models import Signature
from undersigned.petitions.services import sign_petition

from .factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)

TROUBLE = "Task worker: database or cache trouble"


def database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}"


@pytest.fixture
def worker(smtp_server, tmp_path):
    """`undersigned worker` against the test database and the local SMTP server."""
    log = tmp_path / "worker.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": settings.SECRET_KEY,
        "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
        "DIGEST_KEY": settings.DIGEST_KEY,
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "EMAIL_TIMEOUT": "3",
        "WORKER_HEARTBEAT_SECONDS": "1",
    }
    command = [str(Path(sys.executable).parent / "undersigned"), "worker", "--interval", "0.2"]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    process.log = log
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def wait_for(condition, seconds: float = 60, message: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message or "timed out"
        time.sleep(0.2)


def sign(petition, number: int) -> None:
    sign_petition(
        petition,
        name=f"Signer {number}",
        email=f"signer{number}@example.org",
        country="SY",
        opt_in=False,
        language="en",
    )


def emails_to(smtp_server) -> list[str]:
    return sorted(address for message in smtp_server.messages for address in message["to"])


def troubles(worker) -> int:
    return worker.log.read_text().count(TROUBLE)


@contextmanager
def database_away():
    """SQLite: another process holds the write lock. PostgreSQL: the worker's connections
    are cut and new ones refused, as while the server restarts."""
    if connection.vendor == "sqlite":
        lock = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        return
    database = connection.settings_dict
    name = connection.ops.quote_name(database["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]
    admin = psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname="postgres"
    )
    admin.autocommit = True
    admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
        [database["NAME"], own],
    )
    try:
        yield
    finally:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        admin.close()


def test_the_worker_outlives_a_database_outage_and_sends_afterwards(worker, smtp_server):
    petition = make_petition(double_opt_in=False)
    sign(petition, 1)
    wait_for(lambda: len(smtp_server.messages) == 1, message="the worker sent no email")
    # ...and recorded it: a fault between the send and its sent-marker would (rightly) send
    # it again, at least once rather than never
    wait_for(lambda: not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists())

    with database_away():
        wait_for(lambda: troubles(worker) >= 2, message="the worker never met the outage")
        assert worker.poll() is None, worker.log.read_text()
    sign(petition, 2)  # the database is back

    wait_for(lambda: len(smtp_server.messages) >= 2, message=worker.log.read_text())
    wait_for(lambda: not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists())
    assert worker.poll() is None
    assert emails_to(smtp_server) == ["signer1@example.org", "signer2@example.org"]
    assert not Signature.objects.filter(email_due=True).exists()

    worker.send_signal(signal.SIGTERM)  # a signal stops it, cleanly
    assert worker.wait(timeout=30) == 0


def test_the_worker_outlives_a_mail_server_outage(worker, smtp_server):
    petition = make_petition(double_opt_in=False)
    smtp_server.refuse_next = 1  # "451 try again later"
    sign(petition, 1)
    wait_for(lambda: smtp_server.sessions and DBTaskResult.objects.filter(status="READY").exists())
    assert smtp_server.messages == [] and worker.poll() is None

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # its time came
    wait_for(lambda: len(smtp_server.messages) == 1, message=worker.log.read_text())
    assert emails_to(smtp_server) == ["signer1@example.org"]
    assert worker.poll() is None
