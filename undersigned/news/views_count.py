"""Views of a post, counted without tracking anyone.

Each showing of a published post adds one to a counter for the post and the day in the
shared cache: no cookie is set and nothing about the visitor (address, agent, session) is
read or stored. A daily task (`roll_up_views`, queued by housekeeping) copies the counters
of today and yesterday into `DailyViews`; the total is the stored days plus what the cache
holds for the days not yet rolled up. If the cache is down a view is not counted, and the
page is served all the same.
"""

import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from .models import DailyViews

logger = logging.getLogger(__name__)

KEEP_SECONDS = 3 * 24 * 3600  # long enough for a missed daily roll-up to catch up


def key(post_id: int, day: date) -> str:
    return f"news:views:{post_id}:{day.isoformat()}"


def recent_days() -> list[date]:
    today = timezone.localdate()
    return [today, today - timedelta(days=1)]


def seen(post) -> None:
    counter = key(post.pk, timezone.localdate())
    try:
        cache.add(counter, 0, KEEP_SECONDS)
        cache.incr(counter)
    except Exception:  # the cache is down or evicted the key: one view goes uncounted
        logger.warning("Could not count a view of post %s", post.pk, exc_info=True)


def cached_counts(post_id: int) -> dict[date, int]:
    days = recent_days()
    try:
        found = cache.get_many([key(post_id, day) for day in days])
    except Exception:
        logger.warning("Could not read the view counters of post %s", post_id, exc_info=True)
        return {}
    return {day: found[key(post_id, day)] for day in days if key(post_id, day) in found}


def total(post) -> int:
    counts = cached_counts(post.pk)
    stored = dict(post.daily_views.filter(day__in=recent_days()).values_list("day", "count"))
    older = post.daily_views.exclude(day__in=recent_days()).aggregate(n=Sum("count"))["n"] or 0
    recent = sum(max(counts.get(day, 0), stored.get(day, 0)) for day in recent_days())
    return older + recent


def roll_up(post_ids) -> int:
    """Store the cache's counters of today and yesterday (never lowering a stored count, so
    running it twice, or after the cache lost a key, changes nothing)."""
    written = 0
    for post_id in post_ids:
        for day, count in cached_counts(post_id).items():
            row, _created = DailyViews.objects.get_or_create(post_id=post_id, day=day)
            if count > row.count:
                DailyViews.objects.filter(pk=row.pk).update(count=count)
                written += 1
    return written
