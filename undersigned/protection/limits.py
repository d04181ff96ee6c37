"""Rate limits counted in the shared cache (Redis when configured), so that they hold
across app servers. Thresholds come from settings; RATE_LIMITS=off turns them off."""

import logging
from functools import partial

from django.conf import settings
from django_ratelimit.core import get_usage, is_ratelimited

from undersigned.protection.crypto import email_digest

from .clients import ip_hash

logger = logging.getLogger(__name__)


def _by_ip(group, request) -> str:
    return ip_hash(request)


def _by_email(group, request, field: str = "email") -> str:
    return email_digest(request.POST.get(field, ""))


def over_limit(request, scope: str, by_email: bool = False, email_field: str = "email") -> bool:
    """Count this request against `scope` (e.g. "sign") and say whether it is over a limit.

    With `by_email`, the address posted in `email_field` is counted too (by its digest)."""
    limits = settings.RATE_LIMITS.get(scope, {})
    checks = [("ip", _by_ip, limits.get("ip"))]
    if by_email:
        checks.append(("email", partial(_by_email, field=email_field), limits.get("email")))
    try:
        return any(
            is_ratelimited(request, group=f"{scope}:{name}", key=key, rate=rate, increment=True)
            for name, key, rate in checks
            if rate
        )
    except Exception:  # the cache is down: keep accepting signatures rather than lose them
        logger.exception("Rate limit check failed; letting the request through")
        return False


def burst_wait(request, scope: str) -> int:
    """Count this request against the client address's short burst for `scope` (e.g. 10
    signatures in 10 minutes); past it, the seconds until the window ends, else 0."""
    rate = settings.RATE_LIMITS.get(scope, {}).get("burst")
    if not rate:
        return 0
    try:
        usage = get_usage(request, group=f"{scope}:burst", key=_by_ip, rate=rate, increment=True)
    except Exception:  # the cache is down: keep accepting rather than lose people
        logger.exception("Burst check failed; letting the request through")
        return 0
    if usage is None or not usage["should_limit"]:
        return 0
    return max(usage["time_left"], 1)
