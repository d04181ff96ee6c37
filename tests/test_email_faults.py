"""The mail server refusing, timing out or being down, and a task worker killed mid-task:
the signature is safe, the email is retried with backoff, and it is sent exactly once."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.models import Signature

from .conftest import SMTPCollector, free_port
from .factories import make_petition, signer

URL = "/en/petitions/free-the-detained/"


class FlakySMTP(SMTPCollector):
    """Answers "451 try again later" to the first `refusals` messages, or stalls on one."""

    def __init__(self, refusals=0, stall_first=False):
        super().__init__()
        self.refusals = refusals
        self.stall_first = stall_first
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall_first:
            self.stall_first = False
            self.stalled.set()
            await asyncio.sleep(60)
            return "421 too late"
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Mail server busy, try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def flaky_smtp(settings):
    from aiosmtpd.controller import Controller

    servers = []

    def start(**behaviour):
        handler = FlakySMTP(**behaviour)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        return handler

    yield start
    for controller in servers:
        controller.stop()


def pending_retries():
    return DBTaskResult.objects.filter(status="READY").order_by("run_after")


def make_retries_due():
    DBTaskResult.objects.filter(status="READY").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_a_refusing_mail_server_gets_the_email_later_with_backoff(client, flaky_smtp, run_tasks):
    smtp = flaky_smtp(refusals=2)
    make_petition()
    client.post(URL, signer())

    run_tasks()
    retry = pending_retries().get()
    assert retry.args_kwargs["kwargs"] == {"attempt": 1}
    assert retry.run_after > timezone.now() + timedelta(seconds=50)
    make_retries_due()
    run_tasks()
    second = pending_retries().get()
    assert second.args_kwargs["kwargs"] == {"attempt": 2}
    assert second.run_after > timezone.now() + timedelta(seconds=250)  # the delay grows

    make_retries_due()
    run_tasks()
    assert len(smtp.messages) == 1
    assert Signature.objects.get().email == "amal@example.org"  # the signature was never at risk


@pytest.mark.django_db
def test_a_mail_server_that_is_down_or_silent_means_a_retry(client, settings, run_tasks):
    make_petition()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    client.post(URL, signer())
    run_tasks()
    assert pending_retries().count() == 1

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = silent.getsockname()[1], 1
    make_retries_due()
    started = time.monotonic()
    run_tasks()
    silent.close()
    assert time.monotonic() - started < 10
    assert pending_retries().get().args_kwargs["kwargs"] == {"attempt": 2}


@pytest.mark.django_db
def test_after_the_last_retry_the_task_fails_visibly(client, flaky_smtp, run_tasks, settings):
    flaky_smtp(refusals=100)
    make_petition()
    client.post(URL, signer())
    for _ in range(len(settings.EMAIL_RETRY_DELAYS) + 1):
        make_retries_due()
        run_tasks()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    assert pending_retries().count() == 0


def worker_environment(smtp_port: int) -> dict:
    """The settings of this test process, handed to a real worker process."""
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    else:
        url = f"sqlite:///{database['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": django_settings.SECRET_KEY,
        "ENCRYPTION_KEYS": ",".join(django_settings.ENCRYPTION_KEYS),
        "DIGEST_KEY": django_settings.DIGEST_KEY,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_DEAD_AFTER_SECONDS": "3",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "undersigned.manage", "worker", "--interval", "0.2"],
        env=env,
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_is_replaced_and_the_email_sent_once(client, flaky_smtp):
    smtp = flaky_smtp(stall_first=True)
    make_petition()
    client.post(URL, signer())
    env = worker_environment(django_settings.EMAIL_PORT)

    first = start_worker(env)
    assert smtp.stalled.wait(30), "the worker never reached the mail server"
    os.kill(first.pid, signal.SIGKILL)  # mid-task: the mail server is still holding the message
    first.wait(timeout=10)
    assert DBTaskResult.objects.filter(status="RUNNING").exists()  # left behind by the dead worker

    second = start_worker(env)
    try:
        assert wait_for(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1), (
            second.stderr.read1().decode() if second.poll() is not None else "still running"
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=10)
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["to"] == ["amal@example.org"]
