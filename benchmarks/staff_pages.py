"""Time the staff pages against a database filled by benchmarks/bench_data.py.

    .venv/bin/python benchmarks/staff_pages.py \
        --database-url postgres://postgres@127.0.0.1:5432/undersigned_scale_bench

Each page is requested through Django's test client, in this process, as an operator
(signed in once): one warming request, then `--repeat` timed ones; the median and the
worst are printed. The progress page is asked with `?fresh=1`, so its one-minute cache
never answers for it. Then the hand-over CSV is written by a child process of its own
(benchmarks/export_csv.py's children: peak memory from os.wait4) next to PostgreSQL's
own COPY of the same rows, the fastest of `--csv-repeat` runs each.
Results go to benchmarks/results/staff_pages-*.json.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.export_csv import SLUG, env_for, fastest, run_child

ROOT = Path(__file__).resolve().parent.parent


def signed_in_with_second_factor(client, operator) -> None:
    """Operators must give a second factor before any staff page opens: give the session
    an authenticator app's verified sign-in, as the second step would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=operator, name="bench app", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def pages(petition) -> dict[str, str]:
    from django.urls import reverse

    signatures = reverse("admin:petitions_signature_changelist")
    today = date.today()
    week_ago, tomorrow = today - timedelta(days=7), today + timedelta(days=1)
    return {
        "signature list": signatures,
        "signature list, one petition": f"{signatures}?petition__id__exact={petition.pk}",
        "signature list, pending, past 7 days": f"{signatures}?status__exact=pending"
        f"&created_at__gte={week_ago}&created_at__lt={tomorrow}",
        "signature list, page 50": f"{signatures}?p=50",
        "progress page": reverse("admin:delivery_petitionaction_progress", args=[petition.pk])
        + "?fresh=1",
        "abuse review, 24 hours": reverse(
            "admin:supporters_invalidationbatch_review", args=[petition.pk]
        ),
        "abuse review, 7 days": reverse(
            "admin:supporters_invalidationbatch_review", args=[petition.pk]
        )
        + "?hours=168",
    }


def time_pages(repeat: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from undersigned.petitions.models import Petition

    call_command("collectstatic", "--noinput", verbosity=0)
    petition = Petition.objects.get(slug=SLUG)
    operator, _ = get_user_model().objects.get_or_create(
        username="bench-operator", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(operator)
    signed_in_with_second_factor(client, operator)
    results = {}
    spent = []

    def database_time(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    for label, url in pages(petition).items():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
        times, in_database, queries = [], [], 0
        for _ in range(repeat):
            spent.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(database_time):
                client.get(url)
            times.append(1000 * (time.perf_counter() - started))
            in_database.append(1000 * sum(spent))
            queries = len(spent)
        results[label] = {
            "url": url,
            "median_ms": round(statistics.median(times), 1),
            "worst_ms": round(max(times), 1),
            "database_ms": round(statistics.median(in_database), 1),
            "queries": queries,
        }
        r = results[label]
        print(
            f"{label:<40} {r['median_ms']:>8.1f} ms  (worst {r['worst_ms']:.1f}; "
            f"in the database {r['database_ms']:.1f} ms, {queries} queries)"
        )
    return results


def time_csv(database_url: str, repeat: int) -> dict:
    env = env_for(database_url, tempfile.mkdtemp(prefix="undersigned-bench-"))
    best: dict = {}
    for _ in range(repeat):
        for mode in ("baseline", "copy"):
            best[mode] = fastest(best.get(mode), run_child(mode, env))
    best["idle"] = run_child("idle", env)
    ratio = best["copy"]["seconds"] / best["baseline"]["seconds"]
    for mode, label in (("baseline", "COPY (SELECT …) TO file"), ("copy", "hand-over CSV")):
        r = best[mode]
        print(
            f"{label:<40} {r['seconds']:>8.2f} s   rows {r['rows']:,}  peak {r['peak_mb']:.0f} MB"
        )
    print(f"{'hand-over CSV × COPY':<40} {ratio:>8.2f}    (a bare Django child: "
          f"{best['idle']['peak_mb']:.0f} MB)")  # fmt: skip
    return {**best, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/undersigned_scale_bench"
        ),
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--csv-repeat", type=int, default=2)
    parser.add_argument("--no-csv", action="store_true")
    args = parser.parse_args()
    env = env_for(args.database_url, tempfile.mkdtemp(prefix="undersigned-bench-"))
    env["ALLOWED_HOSTS"] = "testserver"
    os.environ.update(env)
    summary = {"database": args.database_url}
    if not args.no_csv:  # first: a child's peak memory counts what it inherits at fork()
        summary["csv"] = time_csv(args.database_url, args.csv_repeat)
    summary["pages"] = time_pages(args.repeat)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (results / f"staff_pages-{stamp}.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
