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
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from statistics import median

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


class Stack:
    """gunicorn and a task worker on the benchmark database; stopped by PID."""

    def __init__(self, env: dict, workers: int):
        self.env, self.workers, self.processes = env, workers, []

    def __enter__(self):
        self.processes.append(
            subprocess.Popen(
                [
                    BIN / "gunicorn",
                    "undersigned.wsgi",
                    "--bind",
                    f"127.0.0.1:{PORT}",
                    "--workers",
                    str(self.workers),
                    "--worker-class",
                    "sync",
                    "--backlog",
                    "4096",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
            )
        )
        self.processes.append(
            subprocess.Popen(
                # at idle CPU priority, as docs/deployment.md advises for a small box: signers
                # and readers come first, the emails catch up once the surge leaves CPU free
                [
                    "chrt",
                    "--idle",
                    "0",
                    sys.executable,
                    "-m",
                    "undersigned.manage",
                    "worker",
                    "--interval",
                    "0.5",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/constant", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


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
    ("gunicorn", ["gunicorn"]),
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


def exact_burst(tokens: dict, count: int, concurrency: int) -> int:
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
                "email": f"exact-{number}@example.org",
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


def ceiling_rows(env: dict) -> int:
    script = "from benchmarks.ceiling.models import Row; print(Row.objects.count())"
    output = subprocess.run(
        [sys.executable, "-m", "undersigned.manage", "shell", "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(output.strip().splitlines()[-1])


def run(args) -> dict:
    data_dir = Path(
        tempfile.mkdtemp(prefix=f"undersigned-bench-{'sqlite' if args.sqlite else 'pg'}-")
    )
    url = f"sqlite:///{data_dir / 'bench.sqlite3'}" if args.sqlite else PG_URL
    if not args.sqlite:
        recreate_postgres(url)
    env = environment(url, data_dir)
    print(
        f"loading {args.rows:,} signatures into {'SQLite' if args.sqlite else 'PostgreSQL'} …",
        flush=True,
    )
    load = django_child("build", env, str(args.rows))
    phases = {}
    s, c = args.seconds, args.connections
    with Stack(env, args.workers):
        views = [f"/en/petitions/{SURGE}/", f"/ar/petitions/{SURGE}/"]
        small = [f"/en/petitions/{SMALL}/", f"/ar/petitions/{SMALL}/"]
        tokens = form_tokens()
        for path in views + small + [f"/api/v1/petitions/{SURGE}/count"]:
            # warm the page caches, as a page that is being shared already is
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()
        time.sleep(2.2)  # the form's start time must be older than MIN_FILL_SECONDS
        # Reads before writes: the task worker then sends the signing phases' emails while
        # only the signing phases (and mixed) run, as it would in a real surge.
        plan = [
            ("ceiling: constant", "get", ["/bench/constant"]),
            ("ceiling: insert", "post", ["/bench/insert"]),
            (f"view ({args.rows:,})", "get", views),
            ("view (1,000)", "get", small),
            ("count", "get", [f"/api/v1/petitions/{SURGE}/count"]),
            ("sign", "sign", views),
            ("mixed 90/10", "mixed", views),
        ]
        if args.sqlite:  # the embedded default: signing and reading the big petition
            plan = [p for p in plan if p[0] != "view (1,000)"]
            plan = [p for p in plan if p[0].split()[0].strip(":") in {"ceiling", "sign", "view"}]
        if args.phases:  # e.g. --phases sign,count: those, with the ceilings
            wanted = {"ceiling", *args.phases.split(",")}
            plan = [p for p in plan if p[0].split()[0].strip(":") in wanted]
        # Rounds of the whole plan, the ceilings in each: these machines swing from minute to
        # minute, so each phase is compared with the ceilings of its own round.
        for round_number in range(args.rounds):
            if round_number:
                drained(env, sent=True)  # the last round's emails are out: ceilings run alone
            for number, (name, mode, paths) in enumerate(plan):
                extra = {**tokens, "BENCH_RUN": f"r{round_number}p{number}"}
                figures = wrk(mode, paths, s, c, extra)
                phases.setdefault(name, []).append(figures)
                print(
                    f"  {round_number + 1}  {name:<20} {figures['rps']:>9,.0f} req/s"
                    f"  p50 {figures['p50_ms']:>7.2f} ms  p99 {figures['p99_ms']:>7.2f} ms"
                    f"  CPU µs/request {figures['cpu_us']}",
                    flush=True,
                )
        time.sleep(3)  # stragglers finish; the count cache expires
        inserted = ceiling_rows(env)
        settled = drained(env)
        answered = exact_burst(tokens, args.exact, c)
        time.sleep(3)
        after = drained(env)
        after["settled"], after["exact_answered"] = settled, answered
    if not args.sqlite and not args.keep:
        recreate_postgres(url, drop_only=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    return summarise(args, load, phases, after, inserted)


def summarise(args, load, rounds, after, inserted) -> dict:
    """Each phase's median over the rounds; its ratios to the ceilings of the same round."""
    phases = {}
    for name, runs in rounds.items():
        for figures, constant, insert in zip(
            runs, rounds["ceiling: constant"], rounds["ceiling: insert"], strict=True
        ):
            figures["× constant"] = round(figures["rps"] / constant["rps"], 2)
            figures["× insert"] = round(figures["rps"] / insert["rps"], 2)
        phases[name] = {
            "rps": median(f["rps"] for f in runs),
            "p50_ms": median(f["p50_ms"] for f in runs),
            "p99_ms": max(f["p99_ms"] for f in runs),  # the worst round: targets are bounds
            "errors": sum(f["socket_errors"] + f["timeouts"] + f["http_errors"] for f in runs),
            "× constant": median(f["× constant"] for f in runs),
            "× insert": median(f["× insert"] for f in runs),
            "× insert, each round": [f["× insert"] for f in runs],
            "cpu_us": {g: median(f["cpu_us"][g] for f in runs) for g in runs[0]["cpu_us"]},
            "signed": sum(f["signed"] for f in runs),
            "requests": sum(f["requests"] for f in runs),
            "rounds": runs,
        }
    settled = after["settled"]
    signing = [n for n in ("sign", "mixed 90/10") if n in phases]
    wrk_answered = sum(phases[n]["signed"] for n in signing)
    checks = {
        # wrk stops with up to one request in flight per connection: those finish on the
        # server after wrk stopped counting, so rows may exceed answers by that much.
        "wrk phases: thank-yous (302)": wrk_answered,
        "wrk phases: rows added": settled["rows"] - args.rows,
        "exact burst: thank-yous (302)": after["exact_answered"],
        "exact burst: rows added": after["rows"] - settled["rows"],
        "exact burst: emails queued": after["queued_emails"] - settled["queued_emails"],
        "emails queued in all": after["queued_emails"],
        "emails still due after the drain": after["due_emails"],
        "rows added in all": after["rows"] - args.rows,
        "shown count": after["shown_count"],
        "confirmed rows": after["confirmed_rows"],
        "ceiling: insert answers (201)": phases["ceiling: insert"]["requests"],
        "ceiling: rows": inserted,
    }
    checks["nothing lost or doubled"] = (
        checks["exact burst: thank-yous (302)"]
        == checks["exact burst: rows added"]
        == checks["exact burst: emails queued"]
        and checks["emails queued in all"] == checks["rows added in all"]
        and checks["emails still due after the drain"] == 0
        and 0
        <= checks["wrk phases: rows added"] - wrk_answered
        <= args.connections * args.rounds * len(signing)
        and checks["shown count"] == checks["confirmed rows"]
    )
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite" if args.sqlite else "postgresql",
        "rows": args.rows,
        "seconds_per_phase": args.seconds,
        "rounds": args.rounds,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "load": load,
        "phases": phases,
        "checks": checks,
        "command": " ".join(sys.argv),
    }


def print_summary(result: dict) -> None:
    print(
        f"\n{result['database']}, {result['rows']:,} signatures, {result['gunicorn_workers']} gunicorn workers,"
        f" wrk -t2 -c{result['connections']} -d{result['seconds_per_phase']}s,"
        f" median of {result['rounds']} rounds (p99: the worst round)"
    )
    print(
        f"{'phase':<20}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'×const':>8}{'×insert':>9}"
        f"  {'×insert by round':<18}  CPU µs/request"
    )
    for name, f in result["phases"].items():
        by_round = " ".join(f"{r:.2f}" for r in f["× insert, each round"])
        cpu = ", ".join(f"{group} {us:,.0f}" for group, us in f["cpu_us"].items() if us)
        print(
            f"{name:<20}{f['rps']:>10,.0f}{f['p50_ms']:>9.2f}{f['p99_ms']:>9.2f}{f['errors']:>8}"
            f"{f['× constant']:>8.2f}{f['× insert']:>9.2f}  {by_round:<18}  {cpu}"
        )
    for check, value in result["checks"].items():
        print(f"  {check}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--exact", type=int, default=2000, help="signatures in the exact burst")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--phases", help="only these phases (and the ceilings): sign,view,count,mixed"
    )
    parser.add_argument("--child-build", dest="child_build")
    parser.add_argument("--child-verify", dest="child_verify")
    args = parser.parse_args()
    if args.child_build:
        return build(int(args.child_build))
    if args.child_verify:
        return verify()
    result = run(args)
    print_summary(result)
    RESULTS.mkdir(exist_ok=True)
    name = f"viral-{result['database']}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwritten to benchmarks/results/{name}")


if __name__ == "__main__":
    main()
