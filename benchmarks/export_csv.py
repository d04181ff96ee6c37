"""Benchmark the delivery exports at 1,000,000 signatures on PostgreSQL.

    .venv/bin/python benchmarks/export_csv.py            # or: make bench-export
    .venv/bin/python benchmarks/export_csv.py --rows 100000 --keep --repeat 1

It creates a throwaway database (`undersigned_bench` on the local server unless
--database-url says otherwise), migrates it, loads the signatures with COPY, then runs each
export in a child process of its own, so that the child's peak memory (ru_maxrss from
os.wait4) is the export's and nothing else's:

- csv (copy):    the hand-over CSV as the app writes it on PostgreSQL (COPY through psycopg)
- csv (python):  the same file written by Python, keyset-paginated (what SQLite uses)
- csv + emails:  the staff export, reading each email through the ORM (decrypted there)
- baseline:      PostgreSQL's own `COPY (SELECT …) TO STDOUT` of the same rows into a file
- package:       the whole hand-over package (CSV, then the PDF with the first 5,000 names)
- idle:          a child that only starts Django (what every child pays before exporting)

and times the progress page's aggregate queries. The database is dropped at the end
(unless --keep). Figures and the command are recorded in docs/performance.md.

The parent never imports Django: Linux counts the RSS a child inherits at fork() in the
child's ru_maxrss, so a large parent would inflate every child's figure. Each child also
reports its own VmHWM (/proc/self/status), the peak of the exported program alone.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/undersigned_bench"
SLUG = "bench-petition"
FIRST = ["Amal", "Omar", "Rana", "Lena", "Sami", "Maya", "Yusuf", "Nour", "Karim", "Hala"]
FIRST += ["Anna", "Jonas", "Sofia", "Lucas", "Emma", "رنا", "عمر", "ليلى", "سامي", "نور"]
LAST = ["Haddad", "Khalil", "Nasser", "Weber", "Martin", "Rossi", "Silva", "Yilmaz"]
LAST += ["الأحمد", "الحسن", "العلي", "إبراهيم", "Müller", "O'Brien", "García"]
COUNTRIES = ["SY"] * 30 + ["LB"] * 10 + ["TR"] * 10 + ["DE"] * 8 + ["JO"] * 6 + ["FR"] * 5
COUNTRIES += ["GB", "US", "SE", "NL", "EG", "IQ", "CA", "BE", "IT", "ES", "NO", "DK"] * 2
COUNTRIES += ["BR", "AU", "CH", "AT", "PL", "IE", "PT", "QA", "SA", "AE", "MA", "TN", "JP"]
SOURCES = ["", "", "", "share-whatsapp", "share-facebook", "share-x", "newsletter", "partner-a"]


def env_for(url: str, data_dir: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_DIR": data_dir,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret"),
        "ENCRYPTION_KEYS": os.environ.get(
            "ENCRYPTION_KEYS", "ItdrpV_DZj_hyBY4cWVh47vwPpGvtMfM-Y1kuA_y9bI="
        ),
        "DIGEST_KEY": os.environ.get("DIGEST_KEY", "benchmark-only-digest-key"),
        "DJANGO_SETTINGS_MODULE": "undersigned.settings",
        "LOG_LEVEL": "WARNING",
    }


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The parent: database, data, children, summary


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def recreate_database(url: str, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    maintenance, name = admin_url(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def load(rows: int, pending: int) -> float:
    """Migrate, create one closed petition and COPY the signatures in. Returns seconds."""
    from django.core.management import call_command
    from django.db import connection

    from undersigned.organisations.models import Organisation, Target
    from undersigned.petitions.models import Petition, PetitionText, Signature
    from undersigned.protection.crypto import email_digest

    call_command("migrate", verbosity=0)
    organiser = Organisation.objects.create(slug="bench", name="Benchmark Rights")
    target = Target.objects.create(slug="bench-un", name="The UN Secretary-General", kind="role")
    closes = datetime(2025, 6, 1, tzinfo=UTC)
    petition = Petition.objects.create(
        slug=SLUG,
        organiser=organiser,
        state="closed",
        opens_at=closes - timedelta(days=120),
        closes_at=closes,
    )
    petition.targets.add(target)
    PetitionText.objects.create(
        petition=petition,
        language="en",
        title="A petition with a million signatures",
        summary="For the benchmark.",
        pledge_heading="To the UN Secretary-General,",
        pledge="Act now.",
    )
    fields = [f for f in Signature._meta.concrete_fields if not f.primary_key]
    varying = {"petition", "name", "email", "email_digest", "country", "language", "status"}
    varying |= {"opt_in", "source", "created_at", "confirmed_at"}
    template = Signature(petition=petition)
    constant = {
        f.attname: f.get_db_prep_save(f.pre_save(template, True), connection)
        for f in fields
        if f.name not in varying
    }
    email_field = Signature._meta.get_field("email")
    chooser = random.Random(1)
    span = (closes - petition.opens_at).total_seconds()
    started = time.perf_counter()
    table = Signature._meta.db_table
    columns = [f.column for f in fields]
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as wrapper, wrapper.cursor.copy(statement) as copy:
        for number in range(rows + pending):
            address = f"signer{number}@example.org"
            signed = petition.opens_at + timedelta(
                seconds=span * (number / (rows + pending)) ** 0.7
            )
            confirmed = number % ((rows + pending) // pending) != 0 if pending else True
            values = {
                "petition_id": petition.pk,
                "name": f"{chooser.choice(FIRST)} {chooser.choice(LAST)}",
                "email": email_field.get_db_prep_save(address, connection),
                "email_digest": email_digest(address),
                "country": chooser.choice(COUNTRIES),
                "language": chooser.choice(["en", "ar"]),
                "status": "confirmed" if confirmed else "pending",
                "opt_in": chooser.random() < 0.4,
                "source": chooser.choice(SOURCES),
                "created_at": signed,
                "confirmed_at": signed if confirmed else None,
                **constant,
            }
            copy.write_row([values[f.attname] for f in fields])
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load: statistics, and the visibility map
        # that lets the progress queries read the index alone.
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    petition.recount()
    return time.perf_counter() - started


def run_child(mode: str, env: dict) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", mode], env=env, stdout=subprocess.PIPE, text=True
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"child {mode} failed ({status}):\n{output}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["wall_s"] = time.perf_counter() - started
    return result


def fastest(best: dict | None, run: dict) -> dict:
    """The faster of two runs, with the larger of their peaks."""
    if best is None:
        return run
    winner = dict(min(best, run, key=lambda r: r["seconds"]))
    winner["peak_mb"] = max(best["peak_mb"], run["peak_mb"])
    winner["vm_hwm_mb"] = max(best["vm_hwm_mb"], run["vm_hwm_mb"])
    return winner


# The children: one measurement each, printed as JSON on the last line


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str) -> None:
    setup_django()
    if mode == "load":
        seconds = load(int(os.environ["BENCH_ROWS"]), int(os.environ["BENCH_PENDING"]))
        print(json.dumps({"mode": mode, "seconds": seconds}))
        return
    from django.db import connection

    from undersigned.delivery.actions import ActionRef
    from undersigned.petitions.models import Petition

    petition = Petition.objects.get(slug=SLUG)
    action = ActionRef.of(petition)
    out = Path(os.environ["DATA_DIR"]) / f"{mode}.csv"
    result: dict = {"mode": mode}
    started = time.perf_counter()
    if mode == "idle":
        pass
    elif mode in ("python", "copy", "emails"):
        from undersigned.delivery.exports import write_signatures_csv

        rows, method = write_signatures_csv(
            action,
            out,
            language="en",
            with_emails=mode == "emails",
            method="python" if mode == "emails" else mode,
        )
        result.update(rows=rows, method=method, bytes=out.stat().st_size)
    elif mode == "baseline":
        from psycopg import sql

        query = sql.SQL(
            "COPY (SELECT name, country, created_at FROM petitions_signature "
            "WHERE petition_id = {} AND status = 'confirmed' ORDER BY created_at, id) "
            "TO STDOUT WITH (FORMAT csv)"
        ).format(sql.Literal(petition.pk))
        rows = 0
        connection.ensure_connection()
        with (
            out.open("wb") as file,
            connection.cursor() as wrapper,
            wrapper.cursor.copy(query) as copy,
        ):
            for data in copy:
                file.write(data)
                rows += bytes(data).count(b"\n")
        result.update(rows=rows, bytes=out.stat().st_size)
    elif mode == "package":
        from undersigned.delivery.models import Package
        from undersigned.delivery.tasks import build

        package = Package.objects.create(
            petition=petition, kind="handover", language="ar", include_names=True
        )
        build(package.pk, "benchmark")
        package.refresh_from_db()
        result.update(
            rows=package.rows_written,
            status=package.status,
            csv_bytes=package.csv_bytes,
            pdf_bytes=package.pdf_bytes,
            error=package.error,
        )
    elif mode == "progress":
        result["queries"] = time_progress_queries(action)
    result["seconds"] = time.perf_counter() - started
    result["vm_hwm_mb"] = vm_hwm_mb()
    print(json.dumps(result))


def time_progress_queries(action) -> list[dict]:
    from django.db import connection

    from undersigned.delivery.progress import compute

    timings = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append({"sql": " ".join(sql.split())[:90], "ms": 0})
            timings[-1]["ms"] = round(1000 * (time.perf_counter() - started), 1)

    compute(action)  # warm the caches of the database, as a page in use would have them
    timings.clear()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        compute(action)
    timings.append(
        {"sql": "all progress queries", "ms": round(1000 * (time.perf_counter() - started), 1)}
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="confirmed signatures")
    parser.add_argument("--pending", type=int, default=50_000, help="unconfirmed signatures")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--repeat", type=int, default=3, help="runs of COPY and its baseline")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    if not urlsplit(args.database_url).path.strip("/").endswith("bench"):
        raise SystemExit("Refusing to drop a database whose name does not end in 'bench'.")
    data_dir = tempfile.mkdtemp(prefix="undersigned-bench-")
    env = env_for(args.database_url, data_dir)
    env.update(BENCH_ROWS=str(args.rows), BENCH_PENDING=str(args.pending))
    print(f"Creating {args.database_url} and loading {args.rows:,} confirmed signatures …")
    recreate_database(args.database_url)
    try:
        load_seconds = run_child("load", env)["seconds"]
        print(f"  loaded with COPY in {load_seconds:.1f} s")
        results = {"idle": run_child("idle", env)}
        # The two that are compared run in turns, `--repeat` times each; the fastest run of
        # each counts (a shared machine only ever makes a run slower).
        for _ in range(args.repeat):
            for mode in ("baseline", "copy"):
                results[mode] = fastest(results.get(mode), run_child(mode, env))
        for mode in ("python", "emails", "package"):
            results[mode] = run_child(mode, env)
        progress = run_child("progress", env)
    finally:
        if not args.keep:
            recreate_database(args.database_url, drop_only=True)

    baseline = results["baseline"]["seconds"]
    print()
    print(
        f"{'export':<34}{'rows':>11}{'seconds':>10}{'× COPY':>8}{'maxrss MB':>11}"
        f"{'VmHWM MB':>10}{'file MB':>9}"
    )
    labels = {
        "idle": "idle child (Django only)",
        "baseline": "baseline: COPY (SELECT …) TO file",
        "copy": "hand-over CSV, COPY path",
        "python": "hand-over CSV, Python path",
        "emails": "staff CSV with emails (ORM)",
        "package": "whole package: CSV + Arabic PDF",
    }
    for mode, label in labels.items():
        r = results[mode]
        size = r.get("bytes") or r.get("csv_bytes") or 0
        ratio = f"{r['seconds'] / baseline:.2f}" if mode != "idle" else ""
        print(
            f"{label:<34}{r.get('rows', 0):>11,}{r['seconds']:>10.2f}{ratio:>8}"
            f"{r['peak_mb']:>11.1f}{r['vm_hwm_mb']:>10.1f}{size / 1e6:>9.1f}"
        )
    if results["package"].get("pdf_bytes"):
        print(f"  (package PDF: {results['package']['pdf_bytes'] / 1e6:.1f} MB)")
    print()
    print("progress page queries (warm):")
    for query in progress["queries"]:
        print(f"  {query['ms']:>8.1f} ms  {query['sql']}")
    summary = {"rows": args.rows, "load_seconds": load_seconds, **results, "progress": progress}
    results_dir = ROOT / "benchmarks" / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (results_dir / f"export_csv-{stamp}.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
