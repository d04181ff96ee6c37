"""How an action is doing, for staff: aggregate queries only, never a row per signature.

Per petition the queries are GROUP BYs over the rows of one petition. Those by day, hour and
status read only the (petition, status, created_at) index (an index-only scan on
PostgreSQL); those by country and source read the petition's rows once. The timings at
1,000,000 signatures are in docs/performance.md. The figures are kept for a minute in the
shared cache, so a page left open or reloaded by several staff costs one computation.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from undersigned.letters.models import Endorsement
from undersigned.petitions.models import ShareClick, Signature

from .actions import ActionRef

TOP_COUNTRIES = 20
HOURS = 72
CACHE_SECONDS = 60


@dataclass
class Progress:
    computed_at: datetime
    total: int  # counted: confirmed signatures, approved endorsements
    by_status: list[tuple[str, int]]  # (status, n)
    per_day: list[tuple[datetime, int, int]]  # (day, counted, not counted)
    per_hour: list[tuple[datetime, int, int]]
    hours_end: datetime | None
    by_country: list[tuple[str, int]]  # top countries, code
    rest_countries: int  # how many countries are in "the rest"
    rest_count: int
    by_source: list[tuple[str, int, int]] = field(default_factory=list)  # (source, counted, not)
    share_clicks: list[tuple[str, int]] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(n for status, n in self.by_status if status != self.counted_status)

    @property
    def counted_status(self) -> str:
        return self.by_status[0][0] if self.by_status else ""

    @property
    def all_signatures(self) -> int:
        return sum(n for _status, n in self.by_status)

    @property
    def confirmation_rate(self) -> float | None:
        return round(100 * self.total / self.all_signatures, 1) if self.all_signatures else None


def progress_for(action: ActionRef, use_cache: bool = True) -> Progress:
    key = f"delivery:progress:{action.kind}:{action.pk}"
    if use_cache and (cached := cache.get(key)) is not None:
        return cached
    result = compute(action)
    cache.set(key, result, CACHE_SECONDS)
    return result


def compute(action: ActionRef) -> Progress:
    counted = (
        Signature.Status.CONFIRMED.value if action.is_petition else Endorsement.Status.APPROVED
    )
    everything = action.all_signatures()

    statuses, latest = {}, []
    # COUNT(*), not COUNT(id): these three queries need only the index's own columns.
    for status, n, last in (
        everything.values_list("status").annotate(n=Count("*"), last=Max("created_at")).order_by()
    ):
        statuses[status] = n
        latest.append(last)
    by_status = [
        (counted, statuses.pop(counted, 0)),
        *sorted(statuses.items(), key=lambda item: -item[1]),
    ]

    per_day = split_by_status(
        everything.annotate(at=TruncDay("created_at")).values_list("at", "status"), counted
    )

    per_hour, hours_end = [], None
    if latest:
        last = timezone.localtime(max(latest))
        hours_end = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        since = hours_end - timedelta(hours=HOURS)
        # Naming the statuses lets the index range scan start at `since` in each of them.
        recent = everything.filter(status__in=[*statuses, counted], created_at__gte=since)
        per_hour = fill_hours(
            split_by_status(
                recent.annotate(at=TruncHour("created_at")).values_list("at", "status"), counted
            ),
            since,
            hours_end,
        )

    countries = list(
        action.signatures().values_list("country").annotate(n=Count("pk")).order_by("-n", "country")
    )
    top, rest = countries[:TOP_COUNTRIES], countries[TOP_COUNTRIES:]

    progress = Progress(
        computed_at=timezone.now(),
        total=by_status[0][1],
        by_status=by_status,
        per_day=fill_days(per_day),
        per_hour=per_hour,
        hours_end=hours_end,
        by_country=top,
        rest_countries=len(rest),
        rest_count=sum(n for _code, n in rest),
    )
    if action.is_petition:
        sources: dict[str, list[int]] = {}
        for source, status, n in (
            everything.values_list("source", "status").annotate(n=Count("pk")).order_by()
        ):
            sources.setdefault(source, [0, 0])[0 if status == counted else 1] += n
        progress.by_source = sorted(
            ((source, c, p) for source, (c, p) in sources.items()),
            key=lambda row: -(row[1] + row[2]),
        )
        progress.share_clicks = list(
            ShareClick.objects.filter(petition_id=action.pk)
            .values_list("channel")
            .annotate(n=Sum("count"))
            .order_by("-n", "channel")
        )
    return progress


def split_by_status(rows, counted: str) -> list[tuple[datetime, int, int]]:
    """(moment, status, n) groups → (moment, counted, not counted), in time order."""
    merged: dict[datetime, list[int]] = {}
    for moment, status, n in rows.annotate(n=Count("*")).order_by():
        merged.setdefault(moment, [0, 0])[0 if status == counted else 1] += n
    return sorted((moment, c, p) for moment, (c, p) in merged.items())


def fill_days(rows: list[tuple[datetime, int, int]]) -> list[tuple[datetime, int, int]]:
    """Days without signatures are days too: a chart without them would lie about the pace."""
    if not rows:
        return []
    known = {moment: (c, p) for moment, c, p in rows}
    day, end = rows[0][0], rows[-1][0]
    filled = []
    while day <= end:
        c, p = known.get(day, (0, 0))
        filled.append((day, c, p))
        day = timezone.localtime(day + timedelta(days=1, hours=2)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    return filled


def fill_hours(rows, since: datetime, end: datetime) -> list[tuple[datetime, int, int]]:
    known = {moment: (c, p) for moment, c, p in rows}
    filled = []
    moment = since
    while moment < end:
        c, p = known.get(moment, (0, 0))
        filled.append((moment, c, p))
        moment += timedelta(hours=1)
    return filled
