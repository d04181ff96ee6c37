"""Who is asking: the client address (proxy-aware only when configured) and its daily hash."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

_day_keys: dict = {}


def client_ip(request) -> str:
    """REMOTE_ADDR, or with PROXY_COUNT proxies in front, the address the outermost one saw.

    Without configuration X-Forwarded-For is ignored: any visitor could write their own.
    """
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def day_key(day) -> bytes:
    if day not in _day_keys:
        from .models import DailyKey

        try:
            key = DailyKey.objects.get_or_create(day=day)[0].key
        except IntegrityError:  # another server created it at the same moment
            key = DailyKey.objects.get(day=day).key
        _day_keys.clear()  # keep one day in memory
        _day_keys[day] = bytes.fromhex(key)
    return _day_keys[day]


def ip_hash(request) -> str:
    """A keyed HMAC of the client address under today's key: equal within a day (enough to
    spot a flood), unlinkable across days, and never reversible once the key is deleted."""
    key = day_key(timezone.now().date())
    return hmac.new(key, client_ip(request).encode(), hashlib.sha256).hexdigest()[:32]


def forget_old_day_keys(keep_days: int = 2) -> int:
    from .models import DailyKey

    cutoff = timezone.now().date() - timedelta(days=keep_days)
    return DailyKey.objects.filter(day__lt=cutoff).delete()[0]
