"""What prepared statements save a signature: `sign_petition` with them and without.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/undersigned_prepared \\
      SECRET_KEY=x ENCRYPTION_KEYS=<a Fernet key> DIGEST_KEY=x \\
      .venv/bin/python benchmarks/prepared_statements.py --signatures 3000 --rounds 4

Against a throwaway database of its own (created, migrated, dropped) on a PostgreSQL of
this machine, one connection signs the bench petition `--signatures` times, as the signing
path does after the form (one autocommitted INSERT each), with prepared statements
(settings.PREPARED_STATEMENTS) and without, the order swapped every round. For each it
prints microseconds per signature: the wall time, the Python process's CPU, and the CPU of
the PostgreSQL backend serving it (read from /proc, so it does not count the time spent
waiting for the other). Figures: docs/performance.md.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersigned.settings")

from benchmarks.throwaway import throwaway_database  # noqa: E402

MODES = {"prepared": True, "not prepared": False}


def backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def connect(prepared: bool) -> int:
    """A new connection, with or without prepared statements; its backend's process id."""
    from django.db import connection

    connection.close()
    options = connection.settings_dict["OPTIONS"]
    options.pop("server_side_binding", None)
    options.pop("prepare_threshold", None)
    if prepared:
        options.update({"server_side_binding": True, "prepare_threshold": 5})  # as settings.py
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def sign_many(petition, count: int, first: int, prepared: bool) -> dict:
    from undersigned.petitions.services import sign_petition

    pid = connect(prepared)
    wall, python, backend = time.perf_counter(), time.process_time(), backend_cpu_seconds(pid)
    for number in range(first, first + count):
        sign_petition(
            petition,
            name="Bench Signer",
            email=f"signer{number}@example.org",
            country="SY",
            opt_in=False,
            language="en",
            ip_hash="bench",
        )
    per = 1e6 / count
    return {
        "wall": (time.perf_counter() - wall) * per,
        "python": (time.process_time() - python) * per,
        "postgres": (backend_cpu_seconds(pid) - backend) * per,
    }


def measure(args) -> None:
    from benchmarks.viral import make_petition
    from undersigned.petitions.models import Petition

    make_petition("surge")
    petition = Petition.objects.select_related("organiser").get(slug="surge")
    runs = {mode: [] for mode in MODES}
    for round_number in range(args.rounds):
        order = list(MODES) if round_number % 2 == 0 else list(MODES)[::-1]
        for offset, mode in enumerate(order):
            first = (round_number * 2 + offset) * args.signatures
            figures = sign_many(petition, args.signatures, first, MODES[mode])
            runs[mode].append(figures)
            print(
                f"round {round_number + 1}, {mode:>12}: "
                + ", ".join(f"{name} {us:.0f} µs" for name, us in figures.items())
                + " per signature",
                flush=True,
            )
    print("median of the rounds:")
    for mode, figures in runs.items():
        medians = {name: statistics.median(f[name] for f in figures) for name in figures[0]}
        print(f"  {mode:>12}: " + ", ".join(f"{n} {us:.0f} µs" for n, us in medians.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("RATE_LIMITS", "off")
    with throwaway_database():
        measure(args)


if __name__ == "__main__":
    main()
