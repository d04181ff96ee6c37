"""What the signature INSERT's "only while the petition is open" check costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/undersigned_guard \\
      SECRET_KEY=x ENCRYPTION_KEYS=<a Fernet key> DIGEST_KEY=x \\
      .venv/bin/python benchmarks/insert_guard.py --rows 3000 --rounds 3

Against a throwaway database of its own (created, migrated, dropped), one connection
inserts the same prepared signature rows one at a time in autocommit, as the signing path
does: a bare `INSERT … VALUES`, then the app's `INSERT … SELECT … WHERE EXISTS (the
petition is open)`. It prints microseconds per signature for each, round by round (the
rows' values are prepared before the clock starts). Figures: docs/performance.md.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersigned.settings")

from benchmarks.throwaway import throwaway_database  # noqa: E402


def rows(petition, start, count, fields, connection):
    from undersigned.petitions.models import Signature
    from undersigned.protection.crypto import email_digest

    prepared = []
    for index in range(start, start + count):
        address = f"signer{index}@example.org"
        signature = Signature(
            petition=petition,
            name="Bench Signer",
            email=address,
            email_digest=email_digest(address),
            country="SY",
            language="en",
            status="pending",
        )
        signature.fill_derived_fields()
        prepared.append(
            [f.get_db_prep_save(f.pre_save(signature, True), connection) for f in fields]
        )
    return prepared


def measure(args) -> None:
    from django.db import connection
    from django.utils import timezone

    from undersigned.organisations.models import Organisation
    from undersigned.petitions.models import Petition, Signature, insert_statement

    organiser = Organisation.objects.create(slug="bench", name="Bench")
    petition = Petition.objects.create(slug="bench", organiser=organiser, state="open")
    guarded, fields = insert_statement(Signature, "default")
    head = guarded.split(" SELECT ")[0]
    marks = ", ".join(["%s"] * len(fields))
    bare = f"{head} VALUES ({marks})"
    state_only = (  # the state alone, without the dates
        f'{head} SELECT {marks} WHERE EXISTS (SELECT 1 FROM "petitions_petition" '
        'WHERE "id" = %s AND "state" = %s)'
    )
    for round_number in range(args.rounds):
        figures = {}
        for offset, kind in enumerate(["bare", "state only", "guarded"]):
            start = (round_number * 3 + offset) * args.rows
            values = rows(petition, start, args.rows, fields, connection)
            began = time.perf_counter()
            with connection.cursor() as cursor:
                for row in values:
                    if kind == "bare":
                        cursor.execute(bare, row)
                    elif kind == "state only":
                        cursor.execute(state_only, [*row, petition.pk, "open"])
                    else:
                        now = connection.ops.adapt_datetimefield_value(timezone.now())
                        cursor.execute(guarded, [*row, petition.pk, "open", now, now])
            figures[kind] = (time.perf_counter() - began) / args.rows * 1e6
        print(
            f"round {round_number + 1}: "
            + ", ".join(f"{kind} {us:.0f} µs" for kind, us in figures.items())
            + f" per signature (guarded {figures['guarded'] / figures['bare']:.2f}× bare)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with throwaway_database():
        measure(args)


if __name__ == "__main__":
    main()
