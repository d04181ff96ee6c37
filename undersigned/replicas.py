"""Reads on a replica (docs/deployment.md, "Read replica").

When DATABASE_REPLICA_URL is set, the code that runs inside `reading()` (staff exports and
hand-over packages, the progress page, the public list pages) reads from the "replica"
database; everything else, and every write anywhere, uses the primary ("default"), so
signing, confirming and whatever must see its own writes never read a copy that may lag.

Before a block reads from the replica, this process checks (at most every
REPLICA_CHECK_SECONDS) that the replica answers and lags less than
REPLICA_MAX_LAG_SECONDS; if not, the block reads from the primary. `or_primary` runs a
function on the replica and, when the replica fails half-way, once more on the primary.
"""

import contextvars
import functools
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
# No lag while every WAL record received is replayed; else, since the last replayed commit.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""

_reading = contextvars.ContextVar("undersigned_replica_reading", default=False)
_verdict = {"at": None, "usable": False}  # this process's last check


class ReplicaRouter:
    """Reads go to the replica inside `reading()` only; writes always to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both sides

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def configured() -> bool:
    return bool(settings.DATABASE_REPLICA_URL)


def lag_seconds() -> float | None:
    """The replica's replay lag in seconds, or None when it cannot be asked."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError as error:
        logger.warning("The read replica is unavailable, reading from the primary: %s", error)
        connections[REPLICA].close()
        return None


def usable() -> bool:
    if not configured():
        return False
    now = time.monotonic()
    if _verdict["at"] is not None and now - _verdict["at"] < settings.REPLICA_CHECK_SECONDS:
        return _verdict["usable"]
    lag = lag_seconds()
    fit = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
    if lag is not None and not fit:
        logger.warning("The read replica lags %.1f s, reading from the primary", lag)
    _verdict.update(at=now, usable=fit)
    return fit


def forget_verdict() -> None:
    """Check the replica again before the next read (after it failed, and in tests)."""
    _verdict.update(at=None, usable=False)


@contextmanager
def reading(replica: bool | None = None):
    """Reads inside go to the replica when it is configured, answers and keeps up."""
    token = _reading.set(usable() if replica is None else replica)
    try:
        yield _reading.get()
    finally:
        _reading.reset(token)


def or_primary(function, *args, **kwargs):
    """`function` reading from the replica; run again on the primary if the replica fails."""
    with reading() as on_replica:
        if not on_replica:
            return function(*args, **kwargs)
        try:
            return function(*args, **kwargs)
        except DatabaseError as error:
            logger.warning("The read replica failed, reading from the primary: %s", error)
            connections[REPLICA].close()
            _verdict.update(at=time.monotonic(), usable=False)
    with reading(replica=False):
        return function(*args, **kwargs)


def read_alias() -> str:
    """The database the current block reads from (for raw SQL such as COPY)."""
    return REPLICA if _reading.get() else PRIMARY


def replica_view(view):
    """A public list page read from the replica, rendered inside the block."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        def respond():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

        return or_primary(respond)

    return wrapped
