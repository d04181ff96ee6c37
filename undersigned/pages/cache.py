"""Redis as an optimisation, never a dependency.

Django's RedisCache raises when Redis is down or slow, and every page view would then
answer 500. This backend answers as an empty cache instead: a read misses (the page is
rendered from the database), a write is dropped, a counter is unknown (rate limits fail
open: RATELIMIT_FAIL_OPEN). After a failure this process leaves Redis alone for
RETRY_SECONDS, so a hanging server costs one socket timeout, not one per cache call;
then it tries again, and the cache refills itself as pages are rendered.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_down_until: dict[tuple, float] = {}  # per process, per server list: shared by its threads


def _forgiving(name: str, fallback):
    method = getattr(RedisCacheClient, name)

    def call(self, *args, **kwargs):
        key = tuple(self._servers)
        missing = args[1] if name == "get" else fallback  # the backend calls get(key, default)
        if time.monotonic() < _down_until.get(key, 0):
            return missing
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            _down_until[key] = time.monotonic() + self.retry_seconds
            logger.warning(
                "Cache unavailable (%s); serving without it for %s s", error, self.retry_seconds
            )
            return missing

    return call


class ForgivingRedisClient(RedisCacheClient):
    retry_seconds = 5.0

    add = _forgiving("add", False)
    get = _forgiving("get", None)
    set = _forgiving("set", None)
    touch = _forgiving("touch", False)
    delete = _forgiving("delete", False)
    get_many = _forgiving("get_many", {})
    has_key = _forgiving("has_key", False)
    incr = _forgiving("incr", None)  # django-ratelimit reads None as "unknown": fail open
    set_many = _forgiving("set_many", None)
    delete_many = _forgiving("delete_many", None)
    clear = _forgiving("clear", False)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        retry_seconds = float(params.get("RETRY_SECONDS", ForgivingRedisClient.retry_seconds))
        self._class = type(
            "ForgivingRedisClient", (ForgivingRedisClient,), {"retry_seconds": retry_seconds}
        )
