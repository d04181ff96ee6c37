"""Rate limits counted in the shared cache (Redis when configured), so that they hold
across app servers. Thresholds come from settings; RATE_LIMITS=off turns them off."""

import logging
from functools import partial

from django.conf import settings
from django_ratelimit.core import is_ratelimited

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
