"""Daily roll-ups of each petition's signatures, for the staff's progress page.

The tallies count a petition's signatures per day and status, in each hour, country,
source and email domain of that day, up to a moment (`TallyMark.rolled_until`, a few minutes ago after each
roll-up). The page reads the tallies, adds what happened since, and counts from the
signatures themselves only those signed after that moment, so its cost does not grow
with the number of signatures, and its figures are exact whenever it is read:

- a signature confirmed after it was rolled up leaves a TallyConfirmation row (one small
  INSERT beside the confirmation): one pending fewer, one confirmed more;
- invalidating or restoring a batch, erasing and deleting unconfirmed signatures (staff
  actions and housekeeping, rare and in bulk) mark the days they touch as stale: those
  days are read from the signatures until the next roll-up recounts them.

`roll_up(petition_id)` (the worker's `roll_up_tallies` task, queued by the progress page
when the tallies are behind, and by `undersigned housekeeping`) adds the signatures signed
since the last roll-up, recounts the stale days and folds the confirmations in, in one
transaction that sees one snapshot (REPEATABLE READ on PostgreSQL; SQLite's write lock).
It counts up to GRACE ago only, so that a signature signed or changed just before has
long committed when its minute is counted. Signing itself touches no tally.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import OperationalError, transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import ExtractHour, TruncDate, TruncDay, TruncHour
from django.utils import timezone

from .models import DailyTally, Signature, StaleDay, TallyConfirmation, TallyMark

GRACE = timedelta(minutes=5)
ROLL_EVERY = timedelta(minutes=5)  # the page asks for a roll-up when the tallies are older
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 5000
Dimension = DailyTally.Dimension
PENDING, CONFIRMED = Signature.Status.PENDING.value, Signature.Status.CONFIRMED.value
OTHER_DOMAINS = "#"
# A big shared provider by its name; every other domain (kept only as a keyed digest,
# "#…") pooled as one, so a day has a few dozen domain rows, not one per domain.
POOLED_DOMAIN = Case(
    When(email_domain__startswith="#", then=Value(OTHER_DOMAINS)),
    default=F("email_domain"),
    output_field=CharField(),
)


def pooled(email_domain: str) -> str:
    return OTHER_DOMAINS if email_domain.startswith("#") else email_domain


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def on_day(day: date) -> Q:
    return Q(created_at__gte=day_start(day), created_at__lt=day_start(day + timedelta(days=1)))


def rollable_until(now: datetime | None = None) -> datetime:
    return ((now or timezone.now()) - GRACE).replace(second=0, microsecond=0)


# What changes tell the tallies


def confirmed(signature: Signature) -> None:
    """`signature` was just confirmed (in the same transaction)."""
    TallyConfirmation.objects.create(
        petition_id=signature.petition_id,
        signed_at=signature.created_at,
        country=str(signature.country),
        source=signature.source,
        email_domain=pooled(signature.email_domain),
    )


def days_changed(signatures: QuerySet) -> None:
    """These signatures are about to change or go (one query for their days)."""
    days = (
        signatures.annotate(day=TruncDate("created_at"))
        .values_list("petition_id", "day")
        .order_by()
        .distinct()
    )
    StaleDay.objects.bulk_create([StaleDay(petition_id=p, day=d) for p, d in days])


# Rolling up


def behind(petition_id: int) -> bool:
    rolled_until = mark_of(petition_id)
    if rolled_until is None or rolled_until < rollable_until() - ROLL_EVERY:
        return True
    return StaleDay.objects.filter(petition_id=petition_id).exists()


def mark_of(petition_id: int) -> datetime | None:
    return (
        TallyMark.objects.filter(petition_id=petition_id)
        .values_list("rolled_until", flat=True)
        .first()
    )


@contextmanager
def one_snapshot(alias: str = "default", read_only: bool = False):
    """A transaction whose statements all read one snapshot of the database (PostgreSQL:
    REPEATABLE READ, unless it runs inside a transaction already; SQLite: always)."""
    connection = transaction.get_connection(alias)
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=alias):
        if outermost and connection.vendor == "postgresql":
            level = "REPEATABLE READ READ ONLY" if read_only else "REPEATABLE READ"
            with connection.cursor() as cursor:
                cursor.execute(f"SET TRANSACTION ISOLATION LEVEL {level}")
        yield


def roll_up(petition_id: int, now: datetime | None = None) -> int:
    """Bring the petition's tallies up to `rollable_until`. Returns the tally rows written
    (0 when another roll-up of the petition ran at the same time: it did the work)."""
    TallyMark.objects.get_or_create(petition_id=petition_id, defaults={"rolled_until": EPOCH})
    try:
        with one_snapshot():
            return roll_up_locked(petition_id, rollable_until(now))
    except OperationalError:  # a concurrent roll-up of the same petition moved the mark
        if transaction.get_connection().vendor != "postgresql":
            raise
        return 0


def roll_up_locked(petition_id: int, until: datetime) -> int:
    mark = TallyMark.objects.select_for_update().get(petition_id=petition_id)
    since = mark.rolled_until
    stale = list(StaleDay.objects.filter(petition_id=petition_id).values_list("pk", "day"))
    stale_days = {day for _pk, day in stale}
    confirmations = TallyConfirmation.objects.filter(petition_id=petition_id, signed_at__lt=until)
    if until <= since and not stale_days and not confirmations.exists():
        return 0
    until = max(until, since)
    signatures = Signature.objects.filter(petition_id=petition_id).order_by()
    tallies = DailyTally.objects.filter(petition_id=petition_id)

    # The stale days, counted again from their signatures
    recounted = counts(signatures.filter(day_ranges(stale_days), created_at__lt=until))
    # The signatures signed since the last roll-up, with their status of now
    fresh = signatures.filter(created_at__gte=since, created_at__lt=until)
    for day in stale_days:
        fresh = fresh.exclude(on_day(day))
    added = counts(fresh)
    # The confirmations of signatures rolled up before them
    earlier = confirmations.filter(signed_at__lt=since).exclude(signed_on(stale_days))
    added = merge(added, confirmation_counts(earlier))

    touched = {key[0] for key in added} - stale_days
    kept = {
        (t.day, t.status, t.dimension, t.value): t.count for t in tallies.filter(day__in=touched)
    }
    totals = merge(merge(kept, added), recounted)
    tallies.filter(day__in=touched | stale_days).delete()
    written = DailyTally.objects.bulk_create(
        [
            DailyTally(
                petition_id=petition_id, day=day, status=status, dimension=dim, value=value, count=n
            )
            for (day, status, dim, value), n in totals.items()
            if n
        ],
        batch_size=BATCH,
    )
    confirmations.delete()
    StaleDay.objects.filter(pk__in=[pk for pk, _day in stale]).delete()
    mark.rolled_until = until
    mark.save(update_fields=["rolled_until"])
    return len(written)


def day_ranges(days: set[date]) -> Q:
    where = Q(pk__in=[])
    for day in days:
        where |= on_day(day)
    return where


def signed_on(days: set[date]) -> Q:
    where = Q(pk__in=[])
    for day in days:
        start = day_start(day)
        where |= Q(signed_at__gte=start, signed_at__lt=start + timedelta(days=1))
    return where


Key = tuple  # (day, status, dimension, value)


def counts(signatures: QuerySet) -> dict[Key, int]:
    """The signatures' tally rows: per day and status, by hour, country, source, domain."""
    by_day = signatures.annotate(day=TruncDate("created_at"))
    groups = {
        Dimension.HOUR: by_day.annotate(value=ExtractHour("created_at")),
        Dimension.COUNTRY: by_day.annotate(value=F("country")),
        Dimension.SOURCE: by_day.annotate(value=F("source")),
        Dimension.DOMAIN: by_day.annotate(value=POOLED_DOMAIN),
    }
    found: dict[Key, int] = {}
    for dimension, rows in groups.items():
        grouped = rows.values_list("day", "status", "value").annotate(n=Count("*")).order_by()
        for day, status, value, n in grouped:
            value = f"{value:02d}" if dimension == Dimension.HOUR else value
            found[day, status, dimension, value] = n
    return found


def confirmation_counts(confirmations: QuerySet) -> dict[Key, int]:
    """Each confirmation: −1 pending and +1 confirmed, in its day's hour, country, source
    and domain."""
    rows = (
        confirmations.annotate(day=TruncDate("signed_at"), hour=ExtractHour("signed_at"))
        .values_list("day", "hour", "country", "source", "email_domain")
        .annotate(n=Count("*"))
        .order_by()
    )
    found: dict[Key, int] = {}
    for day, hour, country, source, domain, n in rows:
        for dimension, value in (
            (Dimension.HOUR, f"{hour:02d}"),
            (Dimension.COUNTRY, country),
            (Dimension.SOURCE, source),
            (Dimension.DOMAIN, domain),
        ):
            for status, change in ((PENDING, -n), (CONFIRMED, n)):
                key = (day, status, dimension, value)
                found[key] = found.get(key, 0) + change
    return found


def merge(first: dict, second: dict) -> dict:
    total = dict(first)
    for key, n in second.items():
        total[key] = total.get(key, 0) + n
    return total


# Reading


@dataclass
class Groups:
    """(moment or value, status, n) rows."""

    days: list[tuple[datetime, str, int]] = field(default_factory=list)
    hours: list[tuple[datetime, str, int]] = field(default_factory=list)
    countries: list[tuple[str, str, int]] = field(default_factory=list)
    sources: list[tuple[str, str, int]] = field(default_factory=list)
    domains: list[tuple[str, str, int]] = field(default_factory=list)  # pooled


def read(petition_id: int, hours_since: datetime | None) -> Groups:
    """The petition's signatures grouped by day, by hour from `hours_since` on, by country
    and by source, each with its status: the tallies, the confirmations since, and the
    signatures signed after the tallies or on a stale day."""
    with one_snapshot(Signature.objects.db, read_only=True):
        rolled_until = mark_of(petition_id)
        signatures = Signature.objects.filter(petition_id=petition_id).order_by()
        if rolled_until is None:
            return live(signatures, hours_since)
        stale = set(StaleDay.objects.filter(petition_id=petition_id).values_list("day", flat=True))
        tallies = DailyTally.objects.filter(petition_id=petition_id).exclude(day__in=stale)
        later = TallyConfirmation.objects.filter(
            petition_id=petition_id, signed_at__lt=rolled_until
        ).exclude(signed_on(stale))
        rolled = merge(tally_sums(tallies, hours_since), confirmation_counts(later))
        unrolled = Q(created_at__gte=rolled_until) | (
            day_ranges(stale) & Q(created_at__lt=rolled_until)
        )
        # Naming every status lets the (petition, status, created_at) index start at the
        # mark in each of them, instead of reading the petition's whole index.
        unrolled &= Q(status__in=Signature.Status.values)
        return add(groups_of(rolled, hours_since), live(signatures.filter(unrolled), hours_since))


def tally_sums(tallies: QuerySet, hours_since: datetime | None) -> dict[Key, int]:
    hour_rows = tallies.filter(dimension=Dimension.HOUR)
    if hours_since is None:
        hour_rows = hour_rows.none()
    else:
        hour_rows = hour_rows.filter(day__gte=local_day(hours_since))
    fields = ["day", "status", "dimension", "value", "count"]
    rows = [*tallies.exclude(dimension=Dimension.HOUR).values_list(*fields)]
    rows += hour_rows.values_list(*fields)
    return {(day, status, dim, value): n for day, status, dim, value, n in rows}


def groups_of(tallied: dict[Key, int], hours_since: datetime | None) -> Groups:
    groups = Groups()
    days: dict[tuple, int] = {}
    for (day, status, dimension, value), n in tallied.items():
        if dimension == Dimension.COUNTRY:
            groups.countries.append((value, status, n))
            days[day, status] = days.get((day, status), 0) + n
        elif dimension == Dimension.SOURCE:
            groups.sources.append((value, status, n))
        elif dimension == Dimension.DOMAIN:
            groups.domains.append((value, status, n))
        elif hours_since is not None:
            moment = timezone.make_aware(datetime.combine(day, time(int(value))))
            if moment >= hours_since:
                groups.hours.append((moment, status, n))
    groups.days = [(day_start(day), status, n) for (day, status), n in days.items()]
    return groups


def live(signatures: QuerySet, hours_since: datetime | None, of_signatures: bool = True) -> Groups:
    """The same groups counted from the rows (also used for a letter's endorsements, which
    have no source or email domain)."""

    def grouped(*fields, rows=signatures):
        return list(rows.values_list(*fields).annotate(n=Count("*")).order_by())

    groups = Groups(
        days=grouped("at", "status", rows=signatures.annotate(at=TruncDay("created_at"))),
        countries=grouped("country", "status"),
    )
    if of_signatures:
        groups.sources = grouped("source", "status")
        groups.domains = grouped("domain", "status", rows=signatures.annotate(domain=POOLED_DOMAIN))
    if hours_since is not None:
        recent = signatures.filter(created_at__gte=hours_since)
        groups.hours = grouped("at", "status", rows=recent.annotate(at=TruncHour("created_at")))
    return groups


def add(first: Groups, second: Groups) -> Groups:
    def merged(a, b):
        totals: dict[tuple, int] = {}
        for key, status, n in [*a, *b]:
            totals[key, status] = totals.get((key, status), 0) + n
        return [(key, status, n) for (key, status), n in totals.items() if n]

    return Groups(
        days=merged(first.days, second.days),
        hours=merged(first.hours, second.hours),
        countries=merged(first.countries, second.countries),
        sources=merged(first.sources, second.sources),
        domains=merged(first.domains, second.domains),
    )
