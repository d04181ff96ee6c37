"""Put N signatures into a PostgreSQL database fast, for measuring staff pages at scale.

    .venv/bin/python benchmarks/bench_data.py --rows 10000000 \
        --database-url postgres://postgres@127.0.0.1:5432/undersigned_scale_bench

Creates the database afresh (its name must end in "bench"), migrates it, makes one closed
petition (slug "bench-petition", the one benchmarks/export_csv.py and
benchmarks/staff_pages.py read) and fills it in one `INSERT … SELECT FROM generate_series`:
the signatures' secondary indexes are dropped first and built once at the end, which is
several times faster than keeping seven indexes up to date row by row. Every row is a
valid signature: its email is one of 1,000 real Fernet tokens made with the app's key
(`signer<k>@example.org`, so exports with emails decrypt them), its digest unique, its
country, source, language and time spread like a real campaign's (most signatures late),
one in twenty still pending. Then VACUUM (ANALYZE), the count, and the daily roll-ups.
`--drop` drops the database.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.export_csv import SLUG, env_for, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DAYS = 120
FIRST = ["Amal", "Omar", "Rana", "Lena", "Sami", "Maya", "Yusuf", "Nour", "Karim", "Hala"]
LAST = ["Haddad", "Khalil", "Nasser", "Weber", "Martin", "Rossi", "الأحمد", "الحسن"]
COUNTRIES = ["SY"] * 30 + ["LB"] * 10 + ["TR"] * 10 + ["DE"] * 8 + ["JO"] * 6 + ["FR"] * 5
COUNTRIES += ["GB", "US", "SE", "NL", "EG", "IQ", "CA", "BE", "IT", "ES", "NO", "DK"] * 2
COUNTRIES += ["BR", "AU", "CH", "AT", "PL", "IE", "PT", "QA", "SA", "AE", "MA", "TN", "JP"]
SOURCES = ["", "", "", "share-whatsapp", "share-facebook", "share-x", "newsletter", "partner-a"]
EMAILS = 1000


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def prepare(rows: int) -> dict:
    """In Django: migrate, the petition, the 1,000 email tokens. Returns the SQL pieces."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from undersigned.emails.addresses import email_domain_label
    from undersigned.organisations.models import Organisation, Target
    from undersigned.petitions.models import Petition, PetitionText, Signature
    from undersigned.protection.crypto import encrypt

    call_command("migrate", verbosity=0)
    organiser, _ = Organisation.objects.get_or_create(
        slug="bench", defaults={"name": "Benchmark Rights"}
    )
    target, _ = Target.objects.get_or_create(
        slug="bench-un", defaults={"name": "The UN Secretary-General", "kind": "role"}
    )
    closes = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    petition = Petition.objects.create(
        slug=SLUG,
        organiser=organiser,
        state="closed",
        opens_at=closes - timezone.timedelta(days=DAYS),
        closes_at=closes,
        closed_at=closes,
        retention_days=3650,
    )
    petition.targets.add(target)
    PetitionText.objects.create(
        petition=petition,
        language="en",
        title=f"A petition with {rows:,} signatures",
        summary="For the benchmark.",
        pledge_heading="To the UN Secretary-General,",
        pledge="Act now.",
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_emails")
        cursor.execute("CREATE UNLOGGED TABLE bench_emails (k int PRIMARY KEY, token text)")
        cursor.executemany(
            "INSERT INTO bench_emails VALUES (%s, %s)",
            [(k, encrypt(f"signer{k}@example.org")) for k in range(EMAILS)],
        )
    return {
        "table": Signature._meta.db_table,
        "petition": petition.pk,
        "opens": petition.opens_at.isoformat(),
        "domain": email_domain_label("signer@example.org"),
    }


def insert_sql(rows: int, pieces: dict) -> str:
    # created_at: i/N to the power 0.7 over DAYS days: a slow start and a busy end.
    return f"""
    INSERT INTO {pieces["table"]} (petition_id, name, email, email_digest, email_domain,
        ip_hash, country, language, status, opt_in, consent_text, consent_version, source,
        created_at, confirmed_at, duplicate_notice_at, erased_at, email_due, visibility,
        cohost_consent_text, cohost_consent_version)
    SELECT {pieces["petition"]},
        first[1 + (i * 7) % {len(FIRST)}] || ' ' || last[1 + (i * 13) % {len(LAST)}],
        e.token,
        encode(sha256(('bench-signer-' || i)::bytea), 'hex'),
        '{pieces["domain"]}',
        substr(md5((i % 200000)::text), 1, 32),
        countries[1 + (hashtext(i::text) & 2147483647) % {len(COUNTRIES)}],
        CASE WHEN i % 3 = 0 THEN 'ar' ELSE 'en' END,
        CASE WHEN i % 20 = 0 THEN 'pending' ELSE 'confirmed' END,
        i % 5 < 2,
        CASE WHEN i % 5 < 2 THEN 'Keep me updated.' ELSE '' END,
        CASE WHEN i % 5 < 2 THEN 'v1' ELSE '' END,
        sources[1 + (hashtext('s' || i) & 2147483647) % {len(SOURCES)}],
        t.at,
        CASE WHEN i % 20 = 0 THEN NULL ELSE t.at + interval '3 minutes' END,
        NULL, NULL, false,
        CASE WHEN i % 10 = 0 THEN 'count' WHEN i % 10 < 4 THEN 'public' ELSE 'target' END,
        '', ''
    FROM generate_series(1, {rows}) AS i
    CROSS JOIN LATERAL (SELECT timestamptz '{pieces["opens"]}'
        + make_interval(secs => {DAYS * 86400 - 3600} * power(i::float8 / {rows}, 0.7)) AS at) t
    JOIN bench_emails e ON e.k = i % {EMAILS},
    (SELECT {sql_array(FIRST)} AS first, {sql_array(LAST)} AS last,
            {sql_array(COUNTRIES)} AS countries, {sql_array(SOURCES)} AS sources) AS a
    """


def fill(rows: int, pieces: dict) -> dict:
    import psycopg

    table = pieces["table"]
    timings = {}
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE '%%_pkey'",
            [table],
        ).fetchall()
        constraints = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        ).fetchall()
        for name, _definition in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        started = time.perf_counter()
        conn.execute(insert_sql(rows, pieces))
        timings["insert_s"] = time.perf_counter() - started
        started = time.perf_counter()
        kept = {name for name, _ in constraints}
        for name, definition in indexes:
            if name not in kept:
                conn.execute(definition)
        for name, definition in constraints:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        timings["indexes_s"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute("DROP TABLE bench_emails")
        timings["vacuum_s"] = time.perf_counter() - started
    return timings


def finish() -> dict:
    """The count, then the daily roll-ups the progress page reads (as the worker would)."""
    import django

    django.setup()
    from undersigned.petitions.models import Petition
    from undersigned.petitions.tallies import roll_up

    petition = Petition.objects.get(slug=SLUG)
    started = time.perf_counter()
    count = petition.recount()
    recount_s = time.perf_counter() - started
    started = time.perf_counter()
    roll_up(petition.pk)
    return {"count": count, "recount_s": recount_s, "roll_up_s": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/undersigned_scale_bench"
        ),
    )
    parser.add_argument("--drop", action="store_true", help="only drop the database")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not urlsplit(args.database_url).path.strip("/").endswith("bench"):
        raise SystemExit("Refusing to drop a database whose name does not end in 'bench'.")
    if args.step:
        import json

        pieces = prepare(args.rows) if args.step == "prepare" else None
        if args.step == "prepare":
            print(json.dumps(pieces))
        else:
            print(json.dumps(finish()))
        return
    if args.drop:
        recreate_database(args.database_url, drop_only=True)
        return
    import json
    import tempfile

    env = env_for(args.database_url, tempfile.mkdtemp(prefix="undersigned-bench-"))
    os.environ.update(env)
    recreate_database(args.database_url)
    started = time.perf_counter()

    def step(name: str) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, "--step", name, "--rows", str(args.rows),
             "--database-url", args.database_url],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        return json.loads(out.strip().splitlines()[-1])

    pieces = step("prepare")
    timings = fill(args.rows, pieces)
    timings.update(step("finish"))
    timings["total_s"] = time.perf_counter() - started
    print(json.dumps({"rows": args.rows, **timings}, indent=2))


if __name__ == "__main__":
    main()
