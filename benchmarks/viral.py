"""Viral load: sign and view a petition with 1,000,000 signatures on a production-like stack.

    make bench                                   # PostgreSQL, then SQLite with fewer rows
    .venv/bin/python benchmarks/viral.py --rows 1000000 --seconds 10
    .venv/bin/python benchmarks/viral.py --sqlite --rows 100000

It starts gunicorn (DEBUG off, rate limits off, Redis cache) and a task worker on a
throwaway database, bulk-loads the signatures with COPY, and drives wrk from 127.0.0.1
through bounded phases: the two ceilings (a bare view returning a constant, a bare view
inserting one row), then sign, view (--rows and 1,000 signatures), count and mixed.
It then verifies that every "thank you" (302) left exactly one row and one queued email,
and that the shown count equals the rows. It prints a summary and writes it as JSON to
benchmarks/results/. Everything it starts, it stops (by PID).
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import constant_rate, units

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = Path(__file__).parent / "lua" / "bench.lua"
RESULTS = Path(__file__).parent / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/undersigned_viral"
SURGE, SMALL = "surge", "small"
PORT = 8123


def environment(database_url: str, data_dir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "benchmark-only-secret",
        "ENCRYPTION_KEYS": "ItdrpV_DZj_hyBY4cWVh47vwPpGvtMfM-Y1kuA_y9bI=",
        "DIGEST_KEY": "benchmark-only-digest-key",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "RATE_LIMITS": "off",
        "BENCHMARK_CEILINGS": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "undersigned.settings",
    }


# The child: build the data set (runs with Django loaded)


def build(rows: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    cache.clear()
    started = time.perf_counter()
    for slug, count in [(SURGE, rows), (SMALL, 1000)]:
        petition = make_petition(slug)
        copy_signatures(petition, count)
    print(json.dumps({"load_seconds": round(time.perf_counter() - started, 1)}))


def make_petition(slug: str):
    from undersigned.organisations.models import Organisation, Target
    from undersigned.petitions.models import Demand, KeyFact, Petition, PetitionText

    organiser, _ = Organisation.objects.get_or_create(
        slug="bench", defaults={"name": "Bench Rights"}
    )
    target, _ = Target.objects.get_or_create(
        slug="bench-un", defaults={"name": "The UN", "kind": "role"}
    )
    petition = Petition.objects.create(
        slug=slug,
        organiser=organiser,
        state="open",
        double_opt_in=True,
        goal=1000,
        opens_at=datetime.now(UTC) - timedelta(days=30),
    )
    petition.targets.add(target)
    for language, title in [("en", "Truth for the disappeared"), ("ar", "الحقيقة للمختفين")]:
        PetitionText.objects.create(
            petition=petition,
            language=language,
            title=title,
            summary=title * 3,
            body=("A paragraph of the petition's story. " * 20 + "\n\n") * 6,
            pledge_heading="To the institutions,",
            pledge="Act now. " * 30,
        )
        for position in range(8):
            Demand.objects.create(
                petition=petition,
                language=language,
                position=position,
                heading=f"Demand {position}",
                text="What must be done. " * 8,
            )
        for position in range(4):
            KeyFact.objects.create(
                petition=petition,
                language=language,
                position=position,
                figure="112,000",
                label="people still missing",
            )
    return petition


def copy_signatures(petition, rows: int) -> None:
    """Confirmed signatures, loaded in bulk (COPY on PostgreSQL, executemany on SQLite)."""
    from django.db import connection

    from undersigned.petitions.models import Signature
    from undersigned.protection.crypto import email_digest

    fields = [f for f in Signature._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    email_field = Signature._meta.get_field("email")

    def row(number: int) -> list:
        address = f"{petition.slug}{number}@example.org"
        signed = petition.opens_at + timedelta(seconds=number * 2)
        values = {
            **defaults,
            "petition_id": petition.pk,
            "name": f"Signer {number}",
            "email": email_field.get_db_prep_save(address, connection),
            "email_digest": email_digest(address),
            "country": ["SY", "LB", "TR", "DE"][number % 4],
            "language": "en",
            "status": "confirmed",
            "created_at": signed,
            "confirmed_at": signed,
        }
        return [values[f.attname] for f in fields]

    table = Signature._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for number in range(rows):
                    copy.write_row(row(number))
            # settle what a bulk load leaves for later (visibility map, dirty buffers),
            # so that autovacuum or a checkpoint does not land in the middle of a phase
            cursor.execute(f"VACUUM (ANALYZE) {table}")
            cursor.execute("CHECKPOINT")
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            for start in range(0, rows, 10_000):
                cursor.executemany(sql, [row(n) for n in range(start, min(rows, start + 10_000))])
    petition.recount()


def verify() -> None:
    """Print what the database holds now, for the parent to compare with the answers."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.cache import cache
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from undersigned.petitions.models import Petition, Signature

    cache.clear()
    petition = Petition.objects.get(slug=SURGE)
    print(
        json.dumps(
            {
                "rows": Signature.objects.filter(petition=petition).count(),
                "confirmed_rows": Signature.objects.filter(
                    petition=petition, status="confirmed"
                ).count(),
                "queued_emails": sum(  # each task sends a batch: its first argument
                    len(args_kwargs["args"][0])
                    for args_kwargs in DBTaskResult.objects.filter(
                        task_path__endswith="send_first_emails"
                    ).values_list("args_kwargs", flat=True)
                ),
                "due_emails": Signature.objects.filter(email_due=True).count(),
                "unsent_emails": DBTaskResult.objects.filter(
                    status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
                ).count(),
                "shown_count": petition.signature_count(),
            }
        )
    )


# The parent: services, phases, summary


def server_command(server: str, workers: int, threads: int) -> list:
    """The app server's command line: gunicorn's sync workers (the production default) or
    granian in WSGI mode, each worker with `threads` threads for the blocking app."""
    if server == "granian":
        return [
            BIN / "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backlog",
            "4096",
            "--log-level",
            "warning",
            "--no-ws",
            # granian leaves a crashed worker dead unless told (gunicorn replaces it)
            "--respawn-failed-workers",
            "--workers-kill-timeout",
            "30",
            "undersigned.wsgi:application",
        ]
    return [
        BIN / "gunicorn",
        "undersigned.wsgi",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--backlog",
        "4096",
        "--log-level",
        "warning",
    ]


class Stack:
    """The app server and a task worker on the benchmark database; stopped by PID."""

    def __init__(self, env: dict, server: str, workers: int, threads: int = 1, placement="units"):
        self.env, self.processes, self.placement = env, [], placement
        self.command = server_command(server, workers, threads)
        self.units = units.Units(str(PORT)) if placement == "units" else None

    def start(self, unit: str, command: list, **kwargs) -> None:
        if self.units:
            command = self.units.command(unit, command)
        self.processes.append(subprocess.Popen(command, cwd=ROOT, env=self.env, **kwargs))

    def __enter__(self):
        self.start("web", self.command)
        if self.placement != "none":
            # behind the web, as docs/deployment.md sets its unit: signers and readers come
            # first, the emails catch up once the surge leaves CPU free
            worker = [sys.executable, "-m", "undersigned.manage", "worker", "--interval", "0.5"]
            self.start("worker", ["chrt", "--idle", "0", *worker], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/constant", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.command[0].name} did not start")

    def __exit__(self, *exc):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.units:
            self.units.close()


def form_tokens() -> dict:
    """A visitor's CSRF cookie, form token and start time, fetched from the real page."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"http://127.0.0.1:{PORT}/en/petitions/{SURGE}/", timeout=10).read().decode()
    value = {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("csrfmiddlewaretoken", "started")
    }
    return {
        "BENCH_CSRF_TOKEN": value["csrfmiddlewaretoken"],
        "BENCH_STARTED": value["started"],
        "BENCH_CSRF_COOKIE": next(c.value for c in jar if c.name == "csrftoken"),
    }


def cpu_seconds() -> dict:
    """CPU time used so far by each process group of the stack, read from /proc; with the
    children each has reaped (PostgreSQL's ended connections)."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        group = next((g for g, marks in CPU_GROUPS if any(m in command for m in marks)), None)
        if group:
            groups[group] = groups.get(group, 0) + sum(map(int, stat[11:15])) / tick
    return groups


# How each process of the stack is recognised by its command line.
CPU_GROUPS = [
    ("web", ["gunicorn", "granian"]),
    ("worker", ["manage worker"]),
    ("postgres", ["postgres:", "bin/postgres "]),
]


def wrk(mode: str, paths: list[str], seconds: int, connections: int, extra: dict) -> dict:
    env = {
        **os.environ,
        **extra,
        "BENCH_MODE": mode,
        "BENCH_PATHS": ",".join(paths),
        "BENCH_SIGN_PATH": f"/en/petitions/{SURGE}/",
    }
    before = cpu_seconds()
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{PORT}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    figures = json.loads(output.split("BENCH_JSON ", 1)[1].splitlines()[0])
    figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
    used = cpu_seconds()
    figures["cpu_us"] = {
        group: round(1e6 * (used.get(group, 0) - before.get(group, 0)) / figures["requests"])
        for group, _marks in CPU_GROUPS
    }
    return figures


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def exact_burst(tokens: dict, count: int, concurrency: int, label: str) -> int:
    """`count` signatures over `concurrency` connections, every answer awaited: the number
    of thank-yous (302) can then be compared exactly with the rows added."""
    from concurrent.futures import ThreadPoolExecutor

    opener = urllib.request.build_opener(NoRedirect)
    url = f"http://127.0.0.1:{PORT}/en/petitions/{SURGE}/"

    def sign(number: int) -> int:
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": tokens["BENCH_CSRF_TOKEN"],
                "started": tokens["BENCH_STARTED"],
                "name": "Exact Signer",
                "country": "LB",
                "email": f"exact-{label}-{number}@example.org",
            }
        ).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Cookie": f"csrftoken={tokens['BENCH_CSRF_COOKIE']}"}
        )
        try:
            return opener.open(request, timeout=60).status
        except urllib.error.HTTPError as answer:
            return answer.code

    with ThreadPoolExecutor(concurrency) as pool:
        return sum(1 for status in pool.map(sign, range(count)) if status == 302)


def django_child(mode: str, env: dict, *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, f"--child-{mode}", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def recreate_postgres(url: str, drop_only: bool = False) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def drained(env: dict, timeout: float = 600, sent: bool = False) -> dict:
    """What the database holds once the worker has queued every due email (the outbox
    catches up after a surge: signing only marks the row), and if `sent`, sent them too."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = django_child("verify", env, "{}")
        if not state["due_emails"] and not (sent and state["unsent_emails"]):
            break
        time.sleep(2)
    return state


def ceiling_rows(env: dict) -> dict:
    script = (
        "import json; from benchmarks.ceiling.models import Row, SafeRow;"
        " print(json.dumps({'insert': Row.objects.count(), 'safe insert': SafeRow.objects.count()}))"
    )
    output = subprocess.run(
        [sys.executable, "-m", "undersigned.manage", "shell", "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def prepare(args) -> tuple[dict, Path, str, dict]:
    """A throwaway database with the two petitions: (env, data dir, url, load figures)."""
    data_dir = Path(
        tempfile.mkdtemp(prefix=f"undersigned-bench-{'sqlite' if args.sqlite else 'pg'}-")
    )
    url = f"sqlite:///{data_dir / 'bench.sqlite3'}" if args.sqlite else args.database_url
    if not args.sqlite:
        recreate_postgres(url)
    env = environment(url, data_dir)
    print(
        f"loading {args.rows:,} signatures into {'SQLite' if args.sqlite else 'PostgreSQL'} …",
        flush=True,
    )
    return env, data_dir, url, django_child("build", env, str(args.rows))


def clean_up(args, data_dir: Path, url: str) -> None:
    if not args.sqlite and not args.keep:
        recreate_postgres(url, drop_only=True)
    shutil.rmtree(data_dir, ignore_errors=True)


VIEWS = [f"/en/petitions/{SURGE}/", f"/ar/petitions/{SURGE}/"]


def warm() -> None:
    small = [f"/en/petitions/{SMALL}/", f"/ar/petitions/{SMALL}/"]
    for path in [*VIEWS, *small, f"/api/v1/petitions/{SURGE}/count"]:
        # warm the page caches, as a page that is being shared already is
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()


def make_plan(args) -> list:
    small = [f"/en/petitions/{SMALL}/", f"/ar/petitions/{SMALL}/"]
    # Reads before writes: the task worker then sends the signing phases' emails while
    # only the signing phases (and mixed) run, as it would in a real surge. Each ceiling
    # runs just before the phases compared with it (the constant before the reads, the
    # inserts before signing): these machines' speed swings by up to 2x within a minute.
    plan = [
        ("ceiling: constant", "get", ["/bench/constant"]),
        ("count", "get", [f"/api/v1/petitions/{SURGE}/count"]),
        (f"view ({args.rows:,})", "get", VIEWS),
        ("view (1,000)", "get", small),
        ("ceiling: insert", "post", ["/bench/insert"]),
        ("ceiling: safe insert", "safe", ["/bench/safe-insert"]),
        ("sign", "sign", VIEWS),
        ("mixed 90/10", "mixed", VIEWS),
    ]
    if args.sqlite:  # the embedded default: signing and reading the big petition
        plan = [p for p in plan if p[0] != "view (1,000)"]
        plan = [p for p in plan if p[0].split()[0].strip(":") in {"ceiling", "sign", "view"}]
    if args.phases:  # e.g. --phases sign,count: those, with the ceilings
        wanted = {"ceiling", *args.phases.split(",")}
        plan = [p for p in plan if p[0].split()[0].strip(":") in wanted]
    return plan


def servers(args) -> list[str]:
    return ["gunicorn", "granian"] if args.server == "both" else [args.server]


def stack(args, env: dict, server: str, placement: str | None = None) -> Stack:
    placement = placement or args.worker_placement
    threads = args.granian_threads if server == "granian" else 1
    workers = args.granian_workers if server == "granian" else args.workers
    return Stack(env, server, workers, threads, placement)


def run(args) -> dict:
    env, data_dir, url, load = prepare(args)
    phases = {server: {} for server in servers(args)}
    exact = {}
    plan = make_plan(args)
    tokens = None
    # Rounds of the whole plan, the ceilings in each, under each server in turn: these
    # machines swing from minute to minute, so each phase is compared with the ceilings of
    # its own round and server, and the servers with each other within a round.
    for round_number in range(args.rounds):
        for server in servers(args):
            with stack(args, env, server):
                if tokens:  # the last round's emails are out: the ceilings run alone
                    drained(env, sent=True)
                else:
                    tokens = form_tokens()
                warm()
                time.sleep(2.2)  # the form's start time must be older than MIN_FILL_SECONDS
                for number, (name, mode, paths) in enumerate(plan):
                    run_id = f"r{round_number}{server[:2]}p{number}"
                    figures = wrk(
                        mode, paths, args.seconds, args.connections, {**tokens, "BENCH_RUN": run_id}
                    )
                    phases[server].setdefault(name, []).append(figures)
                    print(
                        f"  {round_number + 1} {server:<8} {name:<20} {figures['rps']:>9,.0f} req/s"
                        f"  p50 {figures['p50_ms']:>7.2f} ms  p99 {figures['p99_ms']:>7.2f} ms"
                        f"  CPU µs/request {figures['cpu_us']}",
                        flush=True,
                    )
    # nothing lost or doubled, under each server: the exact burst waits for every answer
    settled = None
    for server in servers(args):
        # the drain needs a worker, even where the phases ran without one
        with stack(args, env, server, "session" if args.worker_placement == "none" else None):
            time.sleep(3)  # stragglers finish; the count cache expires
            if settled is None:
                inserted = ceiling_rows(env)
                settled = drained(env)
            before = drained(env)
            answered = exact_burst(tokens, args.exact, args.connections, server)
            time.sleep(3)
            exact[server] = {"before": before, "answered": answered, "after": drained(env)}
    clean_up(args, data_dir, url)
    return summarise(args, load, phases, settled, exact, inserted)


# --sustained: a steady rate of signatures and page views, over minutes


def sign_request(tokens: dict, label: str) -> Callable[[int], bytes]:
    def build(number: int) -> bytes:
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": tokens["BENCH_CSRF_TOKEN"],
                "started": tokens["BENCH_STARTED"],
                "name": "Steady Signer",
                "country": "SY",
                "email": f"steady-{label}-{number}@example.org",
            }
        )
        return (
            f"POST /en/petitions/{SURGE}/ HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n"
            f"Cookie: csrftoken={tokens['BENCH_CSRF_COOKIE']}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()

    return build


def view_request(number: int) -> bytes:
    """A page view as a browser asks for it: gzip accepted (as bench.lua does)."""
    return (
        f"GET {VIEWS[number % 2]} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n"
        "Accept-Encoding: gzip, deflate, br\r\n\r\n"
    ).encode()


class Sampler:
    """Once a second, in a thread: the emails due (rows whose email is not yet queued) and
    the email tasks not yet sent, read from PostgreSQL."""

    SQL = (
        "SELECT (SELECT count(*) FROM petitions_signature WHERE email_due),"
        " (SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING'))"
    )

    def __init__(self, url: str):
        import threading

        import psycopg

        # one connection for the sampling thread, one for the caller's questions
        self.connection = psycopg.connect(url, autocommit=True)
        self.sampling = psycopg.connect(url, autocommit=True)
        self.samples, self.began = [], time.monotonic()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        while not self.stopping.wait(1):
            due, unsent = self.sampling.execute(self.SQL).fetchone()
            self.samples.append((round(time.monotonic() - self.began, 1), due, unsent))

    def stats(self) -> dict:
        wal, vacuums, analyses, size = self.connection.execute(
            "SELECT pg_current_wal_lsn(), (SELECT sum(autovacuum_count) FROM pg_stat_user_tables),"
            " (SELECT sum(autoanalyze_count) FROM pg_stat_user_tables),"
            " pg_database_size(current_database())"
        ).fetchone()
        return {"wal": wal, "autovacuum": vacuums, "autoanalyze": analyses, "size": size}

    def wal_bytes(self, before: dict, after: dict) -> int:
        return int(
            self.connection.execute(
                "SELECT pg_wal_lsn_diff(%s, %s)", [after["wal"], before["wal"]]
            ).fetchone()[0]
        )


def run_sustained(args) -> dict:
    env, data_dir, url, load = prepare(args)
    result = {"load": load, "by_server": {}}
    for server in servers(args):
        with stack(args, env, server):
            rows_before = django_child("verify", env, "{}")["rows"]  # clears the cache: first
            tokens = form_tokens()
            warm()
            time.sleep(2.2)  # the form's start time must be older than MIN_FILL_SECONDS
            result["by_server"][server] = sustain(args, env, url, server, tokens, rows_before)
    clean_up(args, data_dir, url)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "seconds": args.sustained,
        "sign_rate": args.sign_rate,
        "view_rate": args.view_rate,
        "servers": {
            "gunicorn": f"{args.workers} sync workers",
            "granian": f"WSGI, {args.granian_workers} workers × {args.granian_threads} threads",
        },
        **result,
        "command": " ".join(sys.argv),
    }


def sustain(args, env: dict, url: str, server: str, tokens: dict, rows_before: int) -> dict:
    """One steady run under `server`, then the drain of the emails it left."""
    streams = [
        constant_rate.Stream("sign", args.sign_rate, 64, sign_request(tokens, server)),
        constant_rate.Stream("view", args.view_rate, 64, view_request),
    ]
    sampler = Sampler(url)
    before = sampler.stats()
    sampler.thread.start()
    print(
        f"  {server}: {args.sign_rate:g} signatures/s and {args.view_rate:g} views/s"
        f" for {args.sustained} s …",
        flush=True,
    )
    wall = constant_rate.run("127.0.0.1", PORT, streams, args.sustained)
    during = sampler.stats()
    load_ended = time.monotonic() - sampler.began
    state = drained(env, sent=True)
    drain_seconds = time.monotonic() - sampler.began - load_ended
    sampler.stopping.set()
    sampler.thread.join()
    thanked = sum(1 for _d, _l, status in streams[0].results if status == 302)
    samples = sampler.samples
    return {
        "wall_seconds": round(wall, 1),
        "windows": {s.name: constant_rate.windows(s, 10) for s in streams},
        "requests": {s.name: len(s.results) for s in streams},
        "achieved_rate": {s.name: round(len(s.results) / args.sustained, 1) for s in streams},
        "errors": {
            s.name: sum(1 for _d, _l, status in s.results if status == 0 or status >= 400)
            for s in streams
        },
        "thanked (302)": thanked,
        "rows added": state["rows"] - rows_before,
        "emails queued": state["queued_emails"],
        "emails still due": state["due_emails"],
        "nothing lost": thanked == state["rows"] - rows_before and state["due_emails"] == 0,
        "email backlog": {
            "peak_due": max((due for _t, due, _u in samples), default=0),
            "peak_unsent_tasks": max((unsent for _t, _d, unsent in samples), default=0),
            "drained_seconds_after_load": round(drain_seconds, 1),
            "samples (s, due, unsent tasks)": samples,
        },
        "wal_bytes": sampler.wal_bytes(before, during),
        "autovacuum_runs": during["autovacuum"] - before["autovacuum"],
        "autoanalyze_runs": during["autoanalyze"] - before["autoanalyze"],
        "database_growth_bytes": during["size"] - before["size"],
    }


def print_sustained(result: dict) -> None:
    for server, r in result["by_server"].items():
        print(
            f"\n{server} ({result['servers'][server]}), {result['rows']:,} signatures,"
            f" {result['sign_rate']:g} signatures/s + {result['view_rate']:g} page views/s"
            f" for {result['seconds']} s (latency from each request's due time)"
        )
        print(
            f"{'from s':>7}{'sign n':>8}{'p50 ms':>9}{'p99 ms':>9}{'view n':>8}{'p50 ms':>9}{'p99 ms':>9}"
        )
        for s, v in zip(r["windows"]["sign"], r["windows"]["view"], strict=False):
            print(
                f"{s['from_s']:>7.0f}{s['requests']:>8}{s['p50_ms']:>9.1f}{s['p99_ms']:>9.1f}"
                f"{v['requests']:>8}{v['p50_ms']:>9.1f}{v['p99_ms']:>9.1f}"
            )
        hours = 3600 / result["seconds"]
        backlog = r["email backlog"]
        print(
            f"achieved: {r['achieved_rate']['sign']:,.1f} signatures/s,"
            f" {r['achieved_rate']['view']:,.1f} views/s; errors {r['errors']}\n"
            f"thanked (302) {r['thanked (302)']}, rows added {r['rows added']},"
            f" emails still due {r['emails still due']}: nothing lost: {r['nothing lost']}\n"
            f"email backlog: peak {backlog['peak_due']:,} due, {backlog['peak_unsent_tasks']:,}"
            f" unsent tasks; all sent {backlog['drained_seconds_after_load']} s after the load\n"
            f"WAL written {r['wal_bytes'] / 1e6:,.1f} MB ({r['wal_bytes'] * hours / 1e9:,.1f} GB/hour),"
            f" database grew {r['database_growth_bytes'] / 1e6:,.1f} MB"
            f" ({r['database_growth_bytes'] * hours / 1e9:,.1f} GB/hour);"
            f" autovacuum runs {r['autovacuum_runs']}, autoanalyze runs {r['autoanalyze_runs']}"
        )


CEILINGS = {
    "constant": "ceiling: constant",
    "insert": "ceiling: insert",
    "safe insert": "ceiling: safe insert",
}


def summarise_phases(rounds: dict) -> dict:
    """Each phase's median over the rounds; its ratios to the ceilings of the same round."""
    phases = {}
    for name, runs in rounds.items():
        for index, figures in enumerate(runs):
            for ceiling, phase in CEILINGS.items():
                figures[f"× {ceiling}"] = round(figures["rps"] / rounds[phase][index]["rps"], 2)
        phases[name] = {
            "rps": median(f["rps"] for f in runs),
            "p50_ms": median(f["p50_ms"] for f in runs),
            "p99_ms": max(f["p99_ms"] for f in runs),  # the worst round: targets are bounds
            "errors": sum(f["socket_errors"] + f["timeouts"] + f["http_errors"] for f in runs),
            **{f"× {c}": median(f[f"× {c}"] for f in runs) for c in CEILINGS},
            "× safe insert, each round": [f["× safe insert"] for f in runs],
            "cpu_us": {g: median(f["cpu_us"][g] for f in runs) for g in runs[0]["cpu_us"]},
            "signed": sum(f["signed"] for f in runs),
            "requests": sum(f["requests"] for f in runs),
            "rounds": runs,
        }
    return phases


def summarise(args, load, rounds, settled, exact, inserted) -> dict:
    by_server = {}
    for server, server_rounds in rounds.items():
        phases = summarise_phases(server_rounds)
        burst = exact[server]
        before, after = burst["before"], burst["after"]
        by_server[server] = {
            "phases": phases,
            "signatures_per_second": phases.get("sign", {}).get("rps"),
            "sign_vs_safe_insert": phases.get("sign", {}).get("× safe insert"),
            "sign_vs_insert": phases.get("sign", {}).get("× insert"),
            "exact burst": {
                "thank-yous (302)": burst["answered"],
                "rows added": after["rows"] - before["rows"],
                "emails queued": after["queued_emails"] - before["queued_emails"],
            },
        }
    last = servers(args)[-1]
    after = exact[last]["after"]
    signing = [n for n in ("sign", "mixed 90/10") if n in by_server[last]["phases"]]
    wrk_answered = sum(s["phases"][n]["signed"] for s in by_server.values() for n in signing)
    checks = {
        # wrk stops with up to one request in flight per connection: those finish on the
        # server after wrk stopped counting, so rows may exceed answers by that much.
        "wrk phases: thank-yous (302)": wrk_answered,
        "wrk phases: rows added": settled["rows"] - args.rows,
        **{
            f"exact burst, {server}: {what}": value
            for server, s in by_server.items()
            for what, value in s["exact burst"].items()
        },
        "emails queued in all": after["queued_emails"],
        "emails still due after the drain": after["due_emails"],
        "rows added in all": after["rows"] - args.rows,
        "shown count": after["shown_count"],
        "confirmed rows": after["confirmed_rows"],
    }
    for ceiling in ("insert", "safe insert"):
        checks[f"ceiling: {ceiling} answers (201)"] = sum(
            s["phases"][f"ceiling: {ceiling}"]["signed"] for s in by_server.values()
        )
        checks[f"ceiling: {ceiling} rows"] = inserted[ceiling]
    in_flight = args.connections * args.rounds * len(by_server)
    checks["nothing lost or doubled"] = (
        all(len(set(s["exact burst"].values())) == 1 for s in by_server.values())
        and checks["emails queued in all"] == checks["rows added in all"]
        and checks["emails still due after the drain"] == 0
        and 0 <= checks["wrk phases: rows added"] - wrk_answered <= in_flight * len(signing)
        and checks["shown count"] == checks["confirmed rows"]
        and all(
            0 <= checks[f"ceiling: {c} rows"] - checks[f"ceiling: {c} answers (201)"] <= in_flight
            for c in ("insert", "safe insert")
        )
    )
    default = by_server[servers(args)[0]]
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite" if args.sqlite else "postgresql",
        "rows": args.rows,
        "seconds_per_phase": args.seconds,
        "rounds": args.rounds,
        "connections": args.connections,
        "servers": {
            "gunicorn": f"{args.workers} sync workers",
            "granian": f"WSGI, {args.granian_workers} workers × {args.granian_threads} threads",
        },
        "gunicorn_workers": args.workers,
        "worker_placement": args.worker_placement,
        "load": load,
        # the first server's figures, under the names earlier runs used
        "sign_vs_safe_insert": default["sign_vs_safe_insert"],
        "signatures_per_second": default["signatures_per_second"],
        "phases": default["phases"],
        "by_server": by_server,
        "checks": checks,
        "command": " ".join(sys.argv),
    }


def print_summary(result: dict) -> None:
    for server, figures in result["by_server"].items():
        print(
            f"\n{result['database']}, {result['rows']:,} signatures, {server}"
            f" ({result['servers'][server]}), wrk -t2 -c{result['connections']}"
            f" -d{result['seconds_per_phase']}s, median of {result['rounds']} rounds (p99: the worst round),"
            f" worker placement: {result.get('worker_placement', 'session')}"
        )
        print(
            f"{'phase':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'×const':>8}"
            f"{'×insert':>9}{'×safe':>7}  {'×safe by round':<16}  CPU µs/request"
        )
        for name, f in figures["phases"].items():
            by_round = " ".join(f"{r:.2f}" for r in f["× safe insert, each round"])
            cpu = ", ".join(f"{group} {us:,.0f}" for group, us in f["cpu_us"].items() if us)
            print(
                f"{name:<22}{f['rps']:>9,.0f}{f['p50_ms']:>9.2f}{f['p99_ms']:>9.2f}{f['errors']:>8}"
                f"{f['× constant']:>8.2f}{f['× insert']:>9.2f}{f['× safe insert']:>7.2f}"
                f"  {by_round:<16}  {cpu}"
            )
        if figures["signatures_per_second"]:
            print(
                f"sign: {figures['signatures_per_second']:,.0f} signatures/s,"
                f" {figures['sign_vs_safe_insert']:.2f}× safe insert (target ≥ 0.8),"
                f" {figures['sign_vs_insert']:.2f}× bare insert"
            )
    if len(result["by_server"]) == 2:
        print("\nside by side (req/s; p99 ms)")
        (a, fa), (b, fb) = result["by_server"].items()
        print(f"{'phase':<22}{a:>18}{b:>18}{b + ' ÷ ' + a:>20}")
        for name, f in fa["phases"].items():
            g = fb["phases"][name]
            print(
                f"{name:<22}{f['rps']:>9,.0f}{f['p99_ms']:>9.1f}{g['rps']:>9,.0f}{g['p99_ms']:>9.1f}"
                f"{g['rps'] / f['rps']:>20.2f}"
            )
    print()
    for check, value in result["checks"].items():
        print(f"  {check}: {value}")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's sync workers")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "granian", "both"],
        default="gunicorn",
        help="the app server; both: each round under each, side by side",
    )
    parser.add_argument("--granian-workers", type=int, default=2, help="granian's processes")
    parser.add_argument(
        "--granian-threads", type=int, default=2, help="granian's blocking threads per process"
    )
    parser.add_argument("--port", type=int, default=PORT, help="for the app server")
    parser.add_argument(
        "--worker-placement",
        choices=units.PLACEMENTS,
        default="units" if units.cpu_hierarchy() else "session",
        help="units: web and worker in control groups of their own, the worker's idle, as"
        " docs/deployment.md's systemd units (the default where cgroups are writable);"
        " session: both in this session, the worker at idle priority; none: no worker"
        " during the phases (the emails are sent afterwards), to see what it costs",
    )
    parser.add_argument("--database-url", default=PG_URL, help="created and dropped")
    parser.add_argument("--exact", type=int, default=2000, help="signatures in the exact burst")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--phases", help="only these phases (and the ceilings): sign,view,count,mixed"
    )
    parser.add_argument(
        "--sustained",
        type=int,
        nargs="?",
        const=300,
        metavar="SECONDS",
        help="instead of the phases: a steady rate of signing and page views (default 300 s)",
    )
    parser.add_argument("--sign-rate", type=float, default=300, help="--sustained: signatures/s")
    parser.add_argument("--view-rate", type=float, default=1000, help="--sustained: page views/s")
    parser.add_argument("--child-build", dest="child_build")
    parser.add_argument("--child-verify", dest="child_verify")
    args = parser.parse_args(argv)
    if args.sustained and args.worker_placement == "none":
        parser.error("--sustained measures the email backlog: it needs the worker")
    if args.sustained and args.sqlite:
        parser.error("--sustained measures PostgreSQL (its WAL and autovacuum), not --sqlite")
    return args


def main() -> None:
    global PORT
    args = arguments()
    PORT = args.port
    if args.server != "gunicorn" and not (BIN / "granian").exists():
        raise SystemExit("granian is not installed: pip install -e '.[bench]'")
    if args.child_build:
        return build(int(args.child_build))
    if args.child_verify:
        return verify()
    if args.sustained:
        result, show = run_sustained(args), print_sustained
        name = f"sustained-{args.server}.json"
    else:
        result, show = run(args), print_summary
        name = f"viral-{result['database']}.json"
    RESULTS.mkdir(exist_ok=True)  # written first: a summary that fails to print loses nothing
    (RESULTS / name).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    show(result)
    print(f"\nwritten to benchmarks/results/{name}")


if __name__ == "__main__":
    main()
