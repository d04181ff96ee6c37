"""Throttled staff sign-ins, counted in the shared cache (so across app servers).

Failures are counted per account and per client (the daily-keyed address hash, which reads
X-Forwarded-For only behind PROXY_COUNT trusted proxies, as signing does). Past
LOGIN_FAILURES_ALLOWED failures, each further failure locks the account (or the client)
for twice as long as the one before, from LOGIN_WAIT_SECONDS up to an hour; while locked,
even the right password is refused, with the wait.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

from undersigned.protection.clients import ip_hash
from undersigned.protection.crypto import keyed_digest

logger = logging.getLogger(__name__)
COUNT_SECONDS = 24 * 3600  # failures are forgotten a day after the last one
LONGEST_WAIT = 3600


def now() -> float:
    return time.time()


def counters(request, username: str) -> list[str]:
    account = keyed_digest("login", username.strip().casefold())
    return [f"login-failures:account:{account}", f"login-failures:client:{ip_hash(request)}"]


def wait_seconds(request, username: str) -> int:
    """How long this account or this client must wait before trying again (0: go on)."""
    try:
        until = cache.get_many([f"{key}:until" for key in counters(request, username)])
    except Exception:  # the cache is down: sign-ins go on, unthrottled, and it is logged
        logger.exception("Login throttle unavailable")
        return 0
    latest = max(until.values(), default=0)
    return max(0, math.ceil(latest - now()))


def record_failure(request, username: str) -> int:
    """Count a failed sign-in; returns the account's failures so far."""
    counts = []
    try:
        for key in counters(request, username):
            cache.add(key, 0, COUNT_SECONDS)
            count = cache.incr(key)
            cache.touch(key, COUNT_SECONDS)
            over = count - settings.LOGIN_FAILURES_ALLOWED
            if over >= 0:
                wait = min(LONGEST_WAIT, settings.LOGIN_WAIT_SECONDS * 2**over)
                cache.set(f"{key}:until", now() + wait, COUNT_SECONDS)
            counts.append(count)
    except Exception:
        logger.exception("Login throttle unavailable")
    return counts[0] if counts else 0


def forget_account(request, username: str) -> None:
    """A successful sign-in clears the account's failures (not the client's)."""
    key = counters(request, username)[0]
    try:
        cache.delete_many([key, f"{key}:until"])
    except Exception:
        logger.exception("Login throttle unavailable")
