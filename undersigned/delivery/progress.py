"""How an action is doing, for staff: aggregate queries only, never a row per signature.

A petition's figures come from its daily roll-ups (petitions/tallies.py) plus the
signatures of today and of the days changed since they were rolled up, so the page costs
the same at ten million signatures as at ten thousand (docs/performance.md). A letter's
endorsements are few: they are grouped as they are. The figures are kept for a minute in
the shared cache, so a page left open or reloaded by several staff costs one computation.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from undersigned import replicas
from undersigned.letters.models import Endorsement
from undersigned.petitions import tallies
from undersigned.petitions.models import ShareClick, Signature
from undersigned.petitions.tasks import roll_up_tallies

from .actions import ActionRef

TOP_COUNTRIES = 20
HOURS = 72
CACHE_SECONDS = 60
# Confirmation rates by email domain count signatures at least this old (younger ones
# have not had the time to confirm). A domain is large with at least DOMAIN_MIN of them,
# and its rate is flagged when it lies DOMAIN_GAP points or more below the other domains'.
DOMAIN_SETTLED = timedelta(hours=1)
DOMAIN_MIN = 50
DOMAIN_GAP = 30
OTHER_DOMAINS = tallies.OTHER_DOMAINS  # every domain that is not a big shared provider


@dataclass
class DomainRate:
    domain: str  # "gmail.com", or OTHER_DOMAINS
    confirmed: int
    waiting: int
    rate: float
    others_rate: float | None  # the rate of every other domain together
    flagged: bool  # a large domain well below the others: a scanner or a block?

    @property
    def total(self) -> int:
        return self.confirmed + self.waiting


def domain_rates(groups: tallies.Groups, everything, now: datetime) -> list[DomainRate]:
    """Confirmed and still-waiting signatures by email domain (named providers; the rest
    pooled, since their domains are kept only as digests), and which large domain confirms
    far less than the others: the tallied groups, less the signatures of the last
    DOMAIN_SETTLED (an index range of the newest rows)."""
    counts: dict[str, list[int]] = {}
    waiting_or_counted = {Signature.Status.CONFIRMED: 0, Signature.Status.PENDING: 1}

    def count(domain, status, n):
        if domain and status in waiting_or_counted:
            counts.setdefault(domain, [0, 0])[waiting_or_counted[status]] += n

    unsettled = everything.filter(
        status__in=list(waiting_or_counted), created_at__gt=now - DOMAIN_SETTLED
    ).annotate(domain=tallies.POOLED_DOMAIN)
    for domain, status, n in groups.domains:
        count(domain, status, n)
    for domain, status, n in (
        unsettled.values_list("domain", "status").annotate(n=Count("*")).order_by()
    ):
        count(domain, status, -n)
    counts = {d: [max(0, c), max(0, w)] for d, (c, w) in counts.items() if c + w > 0}
    all_confirmed = sum(c for c, _w in counts.values())
    everyone = sum(c + w for c, w in counts.values())
    rates = []
    for domain, (confirmed, waiting) in counts.items():
        total = confirmed + waiting
        rest_total = everyone - total
        others = round(100 * (all_confirmed - confirmed) / rest_total, 1) if rest_total else None
        rate = round(100 * confirmed / total, 1)
        flagged = (
            others is not None
            and total >= DOMAIN_MIN
            and rest_total >= DOMAIN_MIN
            and rate <= others - DOMAIN_GAP
        )
        rates.append(DomainRate(domain, confirmed, waiting, rate, others, flagged))
    return sorted(rates, key=lambda r: (-r.total, r.domain))


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
    by_domain: list[DomainRate] = field(default_factory=list)

    @property
    def flagged_domains(self) -> list[DomainRate]:
        return [rate for rate in self.by_domain if rate.flagged]

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
    result = replicas.or_primary(compute, action)
    cache.set(key, result, CACHE_SECONDS)
    if action.is_petition:
        roll_up_soon(action.pk)
    return result


def roll_up_soon(petition_id: int) -> None:
    """Queue the petition's roll-up when it has days to roll up (at most once a minute)."""
    if not tallies.behind(petition_id):
        return
    if cache.add(f"delivery:progress:roll-up:{petition_id}", True, CACHE_SECONDS):
        roll_up_tallies.enqueue(petition_id)


def compute(action: ActionRef) -> Progress:
    """Three scans of the action's signatures, whatever their number: by day and status (the
    index alone), by hour for the last HOURS (a range of the index), and by country, source
    and status (the rows); plus one index probe per status for the latest signature. A
    petition's groups come from its daily roll-ups instead (with its email domains)."""
    counted = (
        Signature.Status.CONFIRMED.value if action.is_petition else Endorsement.Status.APPROVED
    )
    everything = action.all_signatures()
    statuses = Signature.Status.values if action.is_petition else Endorsement.Status.values
    # one index probe per status: (petition, status, created_at) gives each one's latest
    latest = [
        moment
        for status in statuses
        for (moment,) in everything.filter(status=status)
        .order_by("-created_at")
        .values_list("created_at")[:1]
    ]
    hours_end = since = None
    if latest:
        last = timezone.localtime(max(latest))
        hours_end = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        since = hours_end - timedelta(hours=HOURS)
    if action.is_petition:
        groups = tallies.read(action.pk, since)
    else:
        groups = tallies.live(everything, since, of_signatures=False)
    return assemble(action, groups, counted, hours_end, since)


def assemble(action, groups: tallies.Groups, counted: str, hours_end, since) -> Progress:
    days = groups.days
    statuses: dict[str, int] = {}
    for _day, status, n in days:
        statuses[status] = statuses.get(status, 0) + n
    by_status = [
        (counted, statuses.get(counted, 0)),
        *sorted(
            ((status, n) for status, n in statuses.items() if status != counted),
            key=lambda item: -item[1],
        ),
    ]
    per_day = split_by_status(days, counted)
    per_hour = []
    if hours_end:
        per_hour = fill_hours(split_by_status(groups.hours, counted), since, hours_end)

    countries: dict[str, int] = {}
    for country, status, n in groups.countries:
        if status == counted:
            countries[country] = countries.get(country, 0) + n
    sources: dict[str, list[int]] = {}
    for source, status, n in groups.sources:
        sources.setdefault(source, [0, 0])[0 if status == counted else 1] += n
    ranked = sorted(countries.items(), key=lambda item: (-item[1], item[0]))
    top, rest = ranked[:TOP_COUNTRIES], ranked[TOP_COUNTRIES:]

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
        progress.by_source = sorted(
            ((source, c, p) for source, (c, p) in sources.items()),
            key=lambda row: (-(row[1] + row[2]), row[0]),
        )
        progress.by_domain = domain_rates(groups, action.all_signatures(), progress.computed_at)
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
    for moment, status, n in rows:
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
