"""A soak with faults: mixed load for a while, against a stack that is broken on purpose.

    make soak                                        # 10 minutes
    .venv/bin/python benchmarks/soak.py --seconds 60 # the version the test suite runs

Everything runs on this machine and is stopped by PID at the end: a PostgreSQL cluster of
its own (initdb in a temporary directory, on a free port, as the `postgres` user: needs
root), a redis-server of its own, a local SMTP server (in this process), two app servers
(gunicorn, as `make serve-prod`) and two task workers (`undersigned worker`, restarted
when they exit, as systemd's Restart=always does). Traffic goes to 127.0.0.1 only.

The load: page views, signings (each signer loads the page first), confirmations from the
links the SMTP server receives, endorsements and a staff export (a hand-over package made
by a worker and downloaded). The faults, at fixed fractions of the run: PostgreSQL
restarted twice, Redis restarted once, the SMTP server refusing, then hanging, and a task
worker killed with SIGKILL while it sends a batch.

At the end it checks, exactly: every thanked signature and endorsement has one durable
row; every row got its first email exactly once; the shown count equals the confirmed
rows; no answer was a 500 (or no answer at all); 503 only while PostgreSQL was down; each
process's memory grew less than 10% after warming up. It prints a summary and writes JSON
to benchmarks/results/.
"""

import argparse
import asyncio
import contextlib
import email
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).parent / "results"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/nonexistent"))
PETITION, ARCHIVE, LETTER = "soak", "soak-archive", "soak-letter"
ARCHIVED_ROWS = 2000
STAFF = ("soak-officer", "soak-Pass-7391-quiet-river")
TOTP_KEY = "3132333435363738393031323334353637383930"  # hex, as django-otp stores it
# After a restart, a connection that was mid-request may still answer 503 for a moment.
RESTART_GRACE = 5.0
MEMORY_GROWTH_LIMIT = 0.10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root, to run a PostgreSQL cluster of its own as the postgres user"
    if not (PG_BIN / "initdb").exists():
        return "needs PostgreSQL's server binaries (initdb)"
    if not shutil.which("redis-server"):
        return "needs redis-server"
    return None


# The services, each stopped by its PID


class Postgres:
    """A cluster of the soak's own, so that restarting it touches nothing else."""

    def __init__(self, directory: Path):
        self.directory, self.port, self.process = directory, free_port(), None
        self.data = directory / "pg"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/soak"

    def create(self) -> None:
        shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(
            [PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            user="postgres",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\nmax_connections = 200\n"
                "shared_buffers = 128MB\n"
            )
        self.start()
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE soak",
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [PG_BIN / "postgres", "-D", self.data],
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "pg.log").open("a"),
            user="postgres",
        )
        deadline = time.monotonic() + 60
        while not self.ready():
            assert self.process.poll() is None, (self.directory / "pg.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "PostgreSQL did not start"
            time.sleep(0.1)

    def ready(self) -> bool:
        check = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"])
        return check.returncode == 0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # fast shutdown: connections are cut
            self.process.wait(timeout=60)


class Redis:
    def __init__(self, directory: Path):
        self.directory, self.port, self.process = directory, free_port(), None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout
            != b"PONG\n"
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/confirm/[^\s\"'<>/]+/")


class MailServer:
    """An SMTP server that keeps what it accepts, and refuses or hangs when told to."""

    def __init__(self, on_link):
        self.mode, self.on_link = "accept", on_link
        self.received = Counter()  # (recipient, "confirm" or "other") → messages
        self.lock = threading.Lock()
        self.last_accepted = 0.0
        self.times = defaultdict(list)  # recipient → when each message came

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mode == "refuse":
            return "421 4.3.2 Soak: not taking mail now"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "hang":
            while self.mode == "hang":
                await asyncio.sleep(0.2)
            return "451 4.4.2 Soak: timed out"  # the client gave up long ago
        message = email.message_from_bytes(envelope.content)
        text = "".join(
            part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            for part in message.walk()
            if part.get_content_type() == "text/plain"
        )
        link = CONFIRM_LINK.search(text)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received[(recipient.lower(), "confirm" if link else "other")] += 1
                self.times[recipient.lower()].append(
                    (round(time.monotonic(), 2), message["Subject"])
                )
            self.last_accepted = time.monotonic()
        if link:
            self.on_link(envelope.rcpt_tos[0].lower(), link.group(0))
        return "250 OK"


def environment(pg: Postgres, redis: Redis, smtp_port: int, data_dir: Path, site: str) -> dict:
    high = "1000000/h"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "DATABASE_URL": pg.url,
        "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "soak-only-secret",
        "ENCRYPTION_KEYS": "ItdrpV_DZj_hyBY4cWVh47vwPpGvtMfM-Y1kuA_y9bI=",
        "DIGEST_KEY": "soak-only-digest-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": site,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "3",
        # the soak's faults last minutes, not hours: retry on that scale
        "EMAIL_RETRY_DELAYS": ",".join(["3", "6", "10"] + ["15"] * 30),
        "WORKER_HEARTBEAT_SECONDS": "2",
        "WORKER_DEAD_AFTER_SECONDS": "8",
        "MIN_FILL_SECONDS": "0",
        # one client address sends everything: limits as for a crowd behind one address
        **{
            f"RATE_LIMIT_{name}": high
            for name in ("SIGN_IP", "SIGN_BURST", "ENDORSE_IP", "ENDORSE_BURST", "CONFIRM_IP")
        },
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "undersigned.settings",
        "PYTHONPATH": str(ROOT),
    }


class Processes:
    """The app servers and task workers. A worker that exits is started again (counted)."""

    def __init__(self, env: dict, ports: list[int], log_dir: Path):
        self.env, self.ports, self.log_dir = env, ports, log_dir
        self.servers, self.workers, self.restarts = [], [], Counter()
        self.stopping = threading.Event()
        self.supervisor = threading.Thread(target=self.supervise, daemon=True)

    def start(self) -> None:
        for port in self.ports:
            self.servers.append(
                self.spawn(
                    [
                        BIN / "gunicorn",
                        "undersigned.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "--worker-class",
                        "sync",
                        "--log-level",
                        "warning",
                    ],
                    f"gunicorn-{port}",
                )
            )
        self.workers = [self.start_worker(number) for number in range(2)]
        for port in self.ports:
            wait_for_http(f"http://127.0.0.1:{port}/healthz")
        self.supervisor.start()

    def spawn(self, command: list, name: str) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("a")
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)

    def start_worker(self, number: int) -> subprocess.Popen:
        return self.spawn([BIN / "undersigned", "worker", "--interval", "0.5"], f"worker-{number}")

    def supervise(self) -> None:
        while not self.stopping.wait(0.5):
            for number, worker in enumerate(self.workers):
                if worker.poll() is not None:
                    self.restarts[worker.returncode] += 1
                    time.sleep(1)
                    self.workers[number] = self.start_worker(number)

    def app_pids(self) -> dict:
        """Each gunicorn worker and task worker by PID (gunicorn's workers are its children)."""
        pids = {}
        for server in self.servers:
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            pids.update({int(pid): f"gunicorn worker {pid}" for pid in children})
        pids.update({worker.pid: f"task worker {worker.pid}" for worker in self.workers})
        return pids

    def stop(self) -> None:
        self.stopping.set()
        if self.supervisor.is_alive():
            self.supervisor.join()
        for process in [*self.servers, *self.workers]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.servers, *self.workers]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def wait_for_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer"
            time.sleep(0.3)


# The visitors


def warm_up(ports: list[int]) -> None:
    """Each app server's workers load their code and fill their caches before the clock runs."""
    for port in ports:
        for path in [
            f"/en/petitions/{PETITION}/",
            f"/ar/petitions/{PETITION}/",
            "/en/",
            f"/en/letters/{LETTER}/",
            f"/en/letters/{LETTER}/endorse/",
        ]:
            for _ in range(4):
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    at: float
    kind: str
    status: int  # 0: no answer at all
    seconds: float


@dataclass
class Record:
    answers: list = field(default_factory=list)
    thanked_signers: list = field(default_factory=list)
    thanked_endorsers: list = field(default_factory=list)
    confirmed: list = field(default_factory=list)
    exports: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)


class Visitor:
    """One person's browser: its own cookies, no redirects followed."""

    def __init__(self, base: str, record: Record, started: float):
        self.base, self.record, self.started = base, record, started
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, kind: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        if path.startswith("http"):  # a redirect's absolute address: same server
            parts = urllib.parse.urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        request = urllib.request.Request(self.base + path, data=body)
        began = time.monotonic()
        status, text, location = 0, "", ""
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as answer:
            status, location = answer.code, answer.headers.get("Location", "")
            text = answer.read().decode("utf-8", "replace")
        except OSError:
            pass
        self.record.add(Answer(began - self.started, kind, status, time.monotonic() - began))
        return status, text, location

    def form(self, kind: str, path: str) -> dict | None:
        """The hidden fields of the page's form (following redirects, as a browser would)."""
        for _ in range(5):
            status, html, location = self.request(kind, path)
            if status not in (301, 302):
                break
            path = location
        if status != 200:
            return None
        self.path = urllib.parse.urlsplit(path).path
        return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))


def sign(visitor: Visitor, number: int) -> None:
    path = f"/en/petitions/{PETITION}/"
    fields = visitor.form("view", path)
    if fields is None:
        return
    address = f"soak-signer-{number}@example.org"
    fields.update(name=f"Soak Signer {number}", email=address, country="LB")
    status, _, location = visitor.request("sign", path, fields)
    if status == 302 and "/thanks/" in location:
        with visitor.record.lock:
            visitor.record.thanked_signers.append(address)


def endorse(visitor: Visitor, number: int) -> None:
    path = f"/en/letters/{LETTER}/endorse/"
    fields = visitor.form("view", path)
    if fields is None:
        return
    address = f"soak-endorser-{number}@example.org"
    fields.update(
        name=f"Soak Organisation {number}",
        country="SY",
        contact_name="Soak Contact",
        contact_email=address,
        authorised="on",
    )
    status, _, location = visitor.request("endorse", path, fields)
    if status == 302 and "/thanks/" in location:
        with visitor.record.lock:
            visitor.record.thanked_endorsers.append(address)


def confirm(visitor: Visitor, recipient: str, link: str) -> None:
    path = urllib.parse.urlsplit(link).path
    fields = visitor.form("confirm", path)
    if fields is None:
        return
    status, _, _ = visitor.request("confirm", path, fields)
    if status == 302:
        with visitor.record.lock:
            visitor.record.confirmed.append(recipient)


def view(visitor: Visitor, number: int) -> None:
    paths = [
        f"/en/petitions/{PETITION}/",
        f"/ar/petitions/{PETITION}/",
        "/en/",
        f"/en/letters/{LETTER}/",
    ]
    visitor.request("view", paths[number % len(paths)])


class Staff:
    """A data officer signed in with password and authenticator code, who exports."""

    def __init__(self, base: str, record: Record, started: float, archive_pk: int):
        self.visitor = Visitor(base, record, started)
        self.archive_pk = archive_pk

    def sign_in(self) -> bool:
        """As a person would: again after a failure, for a while."""
        deadline = time.monotonic() + 60
        while not (signed_in := self.try_sign_in()) and time.monotonic() < deadline:
            time.sleep(3)
        return signed_in

    def try_sign_in(self) -> bool:
        fields = self.visitor.form("staff", "/admin/login/")
        if fields is None:
            return False
        fields.update(username=STAFF[0], password=STAFF[1])
        status, _, location = self.visitor.request("staff", "/admin/login/", fields)
        if status != 302:
            return False
        fields = self.visitor.form("staff", location)  # the second step
        if fields is None:
            return False
        fields["code"] = totp_now()
        status, _, _ = self.visitor.request("staff", self.visitor.path, fields)
        return status == 302

    def export(self) -> None:
        """Ask for a hand-over package, wait for the worker to make it, download the CSV."""
        overview = f"/admin/delivery/petitionaction/{self.archive_pk}/change/"
        fields = self.visitor.form("staff", overview)
        if fields is None:
            self.visitor.record.exports.append("the delivery page did not open")
            return
        fields.update(kind="handover", language="en")
        path = f"/admin/delivery/petitionaction/{self.archive_pk}/package/"
        status, _, location = self.visitor.request("staff", path, fields)
        match = re.search(r"/package/(\d+)/", location or "")
        if status != 302 or not match:
            self.visitor.record.exports.append(f"asking for a package answered {status}")
            return
        download = f"/admin/delivery/package/{match.group(1)}/download/csv/"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            status, text, _ = self.visitor.request("export", download)
            if status == 200:
                lines = text.lstrip("\ufeff").strip().splitlines()
                self.visitor.record.exports.append(len(lines) - 1)
                return
            time.sleep(2)
        self.visitor.record.exports.append("the package was not ready within 240 s")


def totp_now() -> str:
    from django_otp.oath import totp

    return str(totp(bytes.fromhex(TOTP_KEY))).zfill(6)


# The run


@dataclass
class Plan:
    seconds: int
    signs_per_second: float
    views_per_second: float
    endorsements_per_second: float
    confirm_share: float = 0.7

    def faults(self) -> list[tuple[float, str]]:
        at = self.seconds
        return sorted(
            [
                (0.10 * at, "restart postgres"),
                (0.25 * at, "restart redis"),
                (0.35 * at, "smtp refuse"),
                (0.55 * at, "smtp hang"),
                (0.65 * at, "smtp accept"),
                (0.72 * at, "kill worker"),
                (0.82 * at, "restart postgres"),
            ]
        )


class Soak:
    def __init__(self, plan: Plan, directory: Path):
        self.plan, self.directory = plan, directory
        self.record = Record()
        self.events, self.postgres_down = [], []
        self.links = []
        self.links_lock = threading.Lock()
        self.pg, self.redis = Postgres(directory), Redis(directory)
        self.mail = MailServer(self.got_link)
        self.ports = [free_port(), free_port()]

    def got_link(self, recipient: str, link: str) -> None:
        with self.links_lock:
            self.links.append((recipient, link))

    def base(self) -> str:
        return f"http://127.0.0.1:{random.choice(self.ports)}"

    def log(self, what: str) -> None:
        moment = time.monotonic() - self.started
        self.events.append((round(moment, 1), what))
        print(f"  {moment:6.1f} s  {what}", flush=True)

    # faults

    def restart_postgres(self) -> None:
        down = time.monotonic() - self.started
        self.pg.stop()
        time.sleep(3)
        self.pg.start()
        self.postgres_down.append((down, time.monotonic() - self.started))

    def restart_redis(self) -> None:
        self.redis.stop()
        time.sleep(3)
        self.redis.start()

    def kill_worker_mid_batch(self) -> None:
        """SIGKILL the worker that holds a batch of first emails while the server takes it."""
        import psycopg

        deadline = time.monotonic() + 60
        with psycopg.connect(
            self.pg.url.replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            while time.monotonic() < deadline:
                row = conn.execute(
                    "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
                    "WHERE status = 'RUNNING' AND task_path LIKE '%%send_first_emails' LIMIT 1"
                ).fetchone()
                sending = time.monotonic() - self.mail.last_accepted < 0.2
                if row and row[0] and sending:
                    pid = int(row[0][-1].split(":")[1])
                    if pid in {w.pid for w in self.processes.workers}:
                        os.kill(pid, signal.SIGKILL)
                        self.log(f"worker {pid} killed mid-batch")
                        return
                time.sleep(0.02)
        self.log("no batch caught in flight within 60 s: no worker killed")

    def fault(self, name: str) -> None:
        self.log(name)
        if name == "restart postgres":
            self.restart_postgres()
        elif name == "restart redis":
            self.restart_redis()
        elif name.startswith("smtp "):
            self.mail.mode = name.split()[1]
        elif name == "kill worker":
            self.kill_worker_mid_batch()

    # load

    def load(self, pool: ThreadPoolExecutor) -> None:
        plan, next_due = self.plan, defaultdict(float)
        rates = {
            "sign": plan.signs_per_second,
            "view": plan.views_per_second,
            "endorse": plan.endorsements_per_second,
        }
        actions = {"sign": sign, "view": view, "endorse": endorse}
        numbers = Counter()
        faults = self.plan.faults()
        staff = Staff(self.base(), self.record, self.started, self.archive_pk)
        staff_ready = pool.submit(staff.sign_in)
        next_export = plan.seconds * 0.2
        while (now := time.monotonic() - self.started) < plan.seconds:
            while faults and faults[0][0] <= now:
                threading.Thread(target=self.fault, args=(faults.pop(0)[1],)).start()
            for kind, rate in rates.items():
                while rate and next_due[kind] <= now:
                    next_due[kind] += 1 / rate
                    numbers[kind] += 1
                    visitor = Visitor(self.base(), self.record, self.started)
                    pool.submit(actions[kind], visitor, numbers[kind])
            with self.links_lock:
                links, self.links = self.links, []
            for recipient, link in links:
                if random.random() < plan.confirm_share:
                    pool.submit(
                        confirm, Visitor(self.base(), self.record, self.started), recipient, link
                    )
            if now >= next_export and staff_ready.done():
                next_export = now + max(plan.seconds * 0.4, 120)
                pool.submit(self.export, staff, staff_ready.result())
            time.sleep(0.01)

    def export(self, staff: Staff, signed_in: bool) -> None:
        if signed_in:
            staff.export()
        else:
            self.record.exports.append("sign-in failed")

    def run(self) -> dict:
        from aiosmtpd.controller import Controller

        log_dir = self.directory / "logs"
        log_dir.mkdir()
        print("Starting PostgreSQL, Redis, SMTP, two app servers and two workers…", flush=True)
        self.pg.create()
        self.redis.start()
        smtp = Controller(self.mail, hostname="127.0.0.1", port=free_port())
        smtp.start()
        env = environment(
            self.pg,
            self.redis,
            smtp.port,
            self.directory / "data",
            f"http://127.0.0.1:{self.ports[0]}",
        )
        self.env = env
        self.processes = Processes(env, self.ports, log_dir)
        try:
            setup = child("setup", env)
            self.archive_pk = setup["archive_pk"]
            self.processes.start()
            warm_up(self.ports)
            self.started = time.monotonic()
            with ThreadPoolExecutor(48) as pool:
                warm = threading.Timer(self.plan.seconds * 0.25, self.sample_memory, args=("warm",))
                warm.start()
                self.load(pool)
                self.sample_memory("end")
                self.log("load ends; waiting for the emails to drain")
            result = self.settle()
        finally:
            self.processes.stop()
            smtp.stop()
            self.redis.stop()
            self.pg.stop()
        result["logs"] = str(log_dir)
        return result

    memory: dict = {}

    def sample_memory(self, moment: str) -> None:
        for pid, name in self.processes.app_pids().items():
            self.memory.setdefault(name, {})[moment] = rss_kib(pid)

    def settle(self) -> dict:
        """Wait until every thanked signature's first email is out (the last faults may have
        left some retries queued), confirm the links that came meanwhile, then compare."""
        deadline = time.monotonic() + max(120, self.plan.seconds * 0.5)
        while time.monotonic() < deadline:
            state = child("check", self.env)
            with self.links_lock:
                links, self.links = self.links, []
            for recipient, link in links:
                if random.random() < self.plan.confirm_share:
                    confirm(Visitor(self.base(), self.record, self.started), recipient, link)
            first_emails = sum(
                1 for (to, what), _n in self.mail.received.items() if what == "confirm"
            )
            if (
                not state["due"]
                and not state["unsent_tasks"]
                and first_emails >= len(state["signers"]) + len(state["endorsers"])
                and not links
            ):
                break
            time.sleep(2)
        self.settle_seconds = round(
            time.monotonic() - deadline + max(120, self.plan.seconds * 0.5), 1
        )
        shown = wait_for_shown_count(self.base(), state["confirmed"])
        return self.judge(state, shown)

    def judge(self, state: dict, shown: int | None) -> dict:
        answers = self.record.answers
        statuses = Counter(a.status for a in answers)
        rows = Counter(state["signers"])
        endorsement_rows = Counter(state["endorsers"])
        first = Counter(
            {to: n for (to, what), n in self.mail.received.items() if what == "confirm"}
        )

        def while_postgres_down(moment: float) -> bool:
            return any(start <= moment <= end + RESTART_GRACE for start, end in self.postgres_down)

        failures = {
            "thanked signatures without exactly one row": [
                a for a in self.record.thanked_signers if rows[a] != 1
            ],
            "thanked endorsements without exactly one row": [
                a for a in self.record.thanked_endorsers if endorsement_rows[a] != 1
            ],
            "rows whose first email did not arrive exactly once": [
                {
                    a: first[a],
                    "at": [
                        (round(t - self.started, 2), subject) for t, subject in self.mail.times[a]
                    ],
                }
                for a in [*rows, *endorsement_rows]
                if first[a] != 1
            ],
            "answers 500 or none": [
                a.__dict__
                for a in answers
                if a.status == 0 or (a.status >= 500 and a.status != 503)
            ],
            "503 while PostgreSQL was up": [
                a.__dict__
                for a in answers
                if a.status == 503 and not while_postgres_down(a.at + a.seconds)
            ],
            "shown count differs from confirmed rows": []
            if shown == state["confirmed"]
            else [{"shown": shown, "confirmed": state["confirmed"]}],
            "exports not complete": [e for e in self.record.exports if e != ARCHIVED_ROWS],
            "memory grew 10% or more": [
                {name: sample}
                for name, sample in self.memory.items()
                if sample.get("warm")
                and sample.get("end")
                and sample["end"] > sample["warm"] * (1 + MEMORY_GROWTH_LIMIT)
            ],
            "workers that exited other than by the SIGKILL": [
                code
                for code, n in self.processes.restarts.items()
                for _ in range(n)
                if code != -signal.SIGKILL
            ],
        }
        if not self.record.exports:
            failures["exports not complete"].append("no export ran")
        by_kind = defaultdict(Counter)
        for answer in answers:
            by_kind[answer.kind][answer.status] += 1
        return {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": self.plan.seconds,
            "plan": self.plan.__dict__,
            "faults": self.events,
            "postgres_down": [(round(a, 1), round(b, 1)) for a, b in self.postgres_down],
            "answers": {kind: dict(counts) for kind, counts in by_kind.items()},
            "statuses": dict(statuses),
            "thanked_signatures": len(self.record.thanked_signers),
            "signature_rows": sum(rows.values()),
            "thanked_endorsements": len(self.record.thanked_endorsers),
            "endorsement_rows": sum(endorsement_rows.values()),
            "first_emails": sum(first.values()),
            "confirmed_rows": state["confirmed"],
            "shown_count": shown,
            "exports": self.record.exports,
            "worker_restarts": {str(k): v for k, v in self.processes.restarts.items()},
            "memory_kib": self.memory,
            "settle_seconds": self.settle_seconds,
            "failures": {name: found[:20] for name, found in failures.items() if found},
            "nothing_lost": not any(failures.values()),
        }


def wait_for_shown_count(base: str, confirmed: int, seconds: float = 60) -> int | None:
    """The count the public sees, once the caches have caught up (they may lag a little)."""
    deadline = time.monotonic() + seconds
    shown = None
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError):
            body = urllib.request.urlopen(
                f"{base}/api/v1/petitions/{PETITION}/count", timeout=10
            ).read()
            shown = json.loads(body)["count"]
            if shown == confirmed:
                return shown
        time.sleep(2)
    return shown


def child(mode: str, env: dict) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, f"--child-{mode}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if output.returncode:
        raise RuntimeError(f"soak child {mode} failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# The children (Django loaded)


def child_setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from benchmarks.viral import copy_signatures, make_petition

    petition = make_petition(PETITION)
    archive = make_petition(ARCHIVE)
    copy_signatures(archive, ARCHIVED_ROWS)
    archive.state = "closed"
    archive.save()
    make_letter(petition.organiser)
    make_staff(petition.organiser)
    print(json.dumps({"archive_pk": archive.pk}))


def make_letter(organiser) -> None:
    from undersigned.letters.models import Letter
    from undersigned.organisations.models import Target

    letter = Letter.objects.create(
        slug=LETTER,
        language="en",
        title="Protect the civilians",
        summary="Organisations ask the UN to act.",
        body="We, the undersigned organisations, urge the Secretary-General to act.",
        organiser=organiser,
        place="Geneva",
        state=Letter.State.OPEN,
        accepts_public_endorsements=True,
    )
    letter.targets.set([Target.objects.get(slug="bench-un")])


def make_staff(organiser) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from undersigned.staff.models import Membership, Role
    from undersigned.staff.roles import DATA_OFFICER

    user = get_user_model().objects.create_user(STAFF[0], password=STAFF[1], is_staff=True)
    Membership.objects.create(
        user=user, organisation=organiser, role=Role.objects.get(slug=DATA_OFFICER)
    )
    TOTPDevice.objects.create(user=user, name="Soak app", key=TOTP_KEY, confirmed=True)


def child_check() -> None:
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from undersigned.letters.models import Endorsement
    from undersigned.petitions.models import Signature

    signatures = Signature.objects.filter(petition__slug=PETITION)
    print(
        json.dumps(
            {
                "signers": [s.email.lower() for s in signatures.only("email")],
                "confirmed": signatures.filter(status="confirmed").count(),
                "endorsers": [
                    e.contact_email.lower()
                    for e in Endorsement.objects.filter(letter__slug=LETTER).only("contact_email")
                ],
                "due": Signature.objects.filter(email_due=True).count(),
                "unsent_tasks": DBTaskResult.objects.filter(
                    status__in=["READY", "RUNNING"]
                ).count(),
            }
        )
    )


def print_summary(result: dict) -> None:
    print(f"\nSoak of {result['seconds']} s with faults: {result['faults']}")
    print(f"  PostgreSQL down (s): {result['postgres_down']}")
    for kind, counts in sorted(result["answers"].items()):
        print(f"  {kind:8} {counts}")
    print(
        f"  signatures: {result['thanked_signatures']} thanked, {result['signature_rows']} rows, "
        f"{result['confirmed_rows']} confirmed, shown {result['shown_count']}"
    )
    print(
        f"  endorsements: {result['thanked_endorsements']} thanked, {result['endorsement_rows']} rows"
    )
    print(
        f"  first emails: {result['first_emails']}, drained {result['settle_seconds']} s after the load"
    )
    print(f"  exports (rows): {result['exports']}; worker restarts: {result['worker_restarts']}")
    for name, sample in sorted(result["memory_kib"].items()):
        print(f"  memory {name}: {sample}")
    if result["nothing_lost"]:
        print("\nnothing lost")
    else:
        print("\nFAILED:")
        for name, found in result["failures"].items():
            print(f"  {name}: {found[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--signs", type=float, default=None, help="signatures a second")
    parser.add_argument("--views", type=float, default=None, help="page views a second")
    parser.add_argument("--child-setup", action="store_true")
    parser.add_argument("--child-check", action="store_true")
    args = parser.parse_args()
    if args.child_setup:
        return child_setup()
    if args.child_check:
        return child_check()
    reason = unavailable_reason()
    if reason:
        sys.exit(f"soak: {reason}")
    result = soak(args.seconds, args.signs, args.views)
    print_summary(result)
    sys.exit(0 if result["nothing_lost"] else 1)


def soak(seconds: int, signs: float | None = None, views: float | None = None) -> dict:
    plan = Plan(
        seconds=seconds,
        signs_per_second=signs or 10,
        views_per_second=views or 20,
        endorsements_per_second=0.5,
    )
    directory = Path(tempfile.mkdtemp(prefix="undersigned-soak-"))
    try:
        result = Soak(plan, directory).run()
    finally:
        keep = os.environ.get("SOAK_KEEP")
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"soak-{seconds}s-{stamp}.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
