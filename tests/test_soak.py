"""The soak with faults (benchmarks/soak.py), for 60 seconds: PostgreSQL restarted twice,
Redis once, the mail server refusing then hanging, a worker killed mid-batch, under mixed
load on two app servers and two workers. Nothing may be lost, sent twice or answer 500.

It runs a PostgreSQL of its own, so it does not depend on the suite's database; it runs in
the PostgreSQL leg of the suite only (once is enough, and it takes a few minutes)."""

import os

import pytest

from benchmarks import soak


def test_a_minute_of_faults_under_load_loses_nothing():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("runs in the PostgreSQL leg of the suite (it brings its own server)")
    reason = soak.unavailable_reason()
    if reason:
        pytest.skip(reason)
    result = soak.soak(60)
    assert result["thanked_signatures"] > 100
    assert result["exports"], "no staff export ran"
    assert result["failures"] == {}, result
    assert result["nothing_lost"]
