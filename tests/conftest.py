import os
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test import override_settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would
# otherwise refuse the test's own database calls made beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The live test server queues only 10 connections by default; production servers queue
# thousands. Concurrency tests would otherwise measure the test server's backlog.
WSGIServer.request_queue_size = 256

from .delivery_fixtures import packages_dir  # noqa: E402, F401  (fixtures for every test)
from .personas import personas  # noqa: E402, F401
from .s3_server import s3, s3_endpoint  # noqa: E402, F401
from .staff_world import world, world_with_packages  # noqa: E402, F401

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Start each run from a clean SQLite test file: Django deletes an old test database
    but not its write-ahead log, and a stale log beside a new file reads as corruption."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if name and database["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def plain_static_storage():
    """Tests read static files from the apps, not from a collected, hashed manifest."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "undersigned.storage.LocalPrivateStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def humane_speed(settings):
    """Tests fill forms in milliseconds; the time-to-fill trap has tests of its own. Nor do
    they wait a second for an app process's memory of the cached page to lapse."""
    settings.MIN_FILL_SECONDS = 0
    settings.PAGE_MEMO_SECONDS = 0


@pytest.fixture(autouse=True)
def default_language():
    """An Arabic page requested by one test leaves Arabic active in its thread; the next
    test (whichever xdist sends there) starts from the default language again."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters and cached counts must not leak from one test to the next."""
    from django.core.cache import cache

    from undersigned.petitions import pagecache

    cache.clear()
    pagecache.clear_memo()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"!!! {CHROMIUM} is missing: BROWSER TESTS SKIPPED (run `make test` as root) !!!"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def no_script_page(browser):
    """A phone-sized page with JavaScript off: every public form must work in it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


class SMTPCollector:
    """A real SMTP server on loopback that keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self.refuse_next = 0  # answer "451 try again later" to this many messages
        self.sessions = []  # one per connection that sent a message

    @property
    def connections(self) -> int:
        return len({id(session) for session in self.sessions})

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.sessions.append(session)
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 4.3.0 Mail server busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "message": message})
        return "250 Message accepted for delivery"

    def bodies(self, index=-1):
        message = self.messages[index]["message"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        return text, html


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Point Django's SMTP backend at a local aiosmtpd server for the test."""
    from aiosmtpd.controller import Controller

    collector = SMTPCollector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield collector
    controller.stop()


@pytest.fixture
def run_tasks(monkeypatch):
    """Drain the outboxes and run the real task worker until the queue is empty, as
    `undersigned worker` does.

    Like Django's test client, it leaves the test's connection open: the worker's periodic
    close_old_connections() would otherwise drop the connection holding the test transaction.
    """
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("worker", "--batch", verbosity=0)

    return run


@pytest.fixture
def broken_midway():
    """The database fails at the task-queue insert, after the action's own row."""
    from .faults import break_task_queue_inserts, repair_task_queue_inserts

    break_task_queue_inserts()
    yield
    repair_task_queue_inserts()


@pytest.fixture
def database_unreachable():
    from .faults import unreachable_database

    with unreachable_database():
        yield


@pytest.fixture(autouse=True)
def force_login_with_second_factor(monkeypatch):
    """`client.force_login(staff)` stands for a staff member who signed in fully: password
    and second factor (an authenticator app made for the test). Tests of the sign-in itself
    go through the real forms instead."""
    from django.test import Client

    from tests.second_factors import give_code_in_session

    plain = Client.force_login

    def force_login(self, user, backend=None):
        plain(self, user, backend)
        if user.is_staff:
            give_code_in_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
