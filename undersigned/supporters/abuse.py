"""What the staff's abuse review shows: signatures of one petition in a time window, grouped
by what a flood shares (one client address hash, one email domain, one source).

Aggregate queries only (GROUP BY over an index on petition, value and time): no signature
is loaded, except one per uncommon email domain, whose address is decrypted to name the
domain for staff (the database keeps only a keyed digest of such domains).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from undersigned.petitions.models import Petition, Signature

from .models import InvalidationBatch

WINDOWS_HOURS = (1, 6, 24, 72, 168)
DEFAULT_HOURS = 24
TOP = 10  # groups shown per kind
MINIMUM = 2  # a group of one is no pattern
# A busy window is shortened to its latest signatures, this many of each status at most,
# so the page costs the same at ten million signatures (docs/performance.md).
REVIEW_ROWS = 10_000


@dataclass
class Group:
    dimension: str
    value: str
    label: str
    total: int
    confirmed: int
    pending: int
    first: datetime
    last: datetime
    share: float  # of all signatures in the window, in per cent

    @property
    def per_hour(self) -> float:
        hours = max((self.last - self.first).total_seconds() / 3600, 1 / 60)
        return round(self.total / hours, 1)


@dataclass
class Review:
    petition: Petition
    since: datetime
    until: datetime
    total: int
    groups: dict[str, list[Group]] = field(default_factory=dict)
    shortened: bool = False  # `since` is later than the window asked for


def window(hours: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    until = (now or timezone.now()).replace(microsecond=0) + timedelta(seconds=1)
    return until - timedelta(hours=hours), until


def in_window(petition: Petition, since: datetime, until: datetime):
    return Signature.objects.filter(
        petition=petition,
        created_at__gte=since,
        created_at__lte=until,
        status__in=[Signature.Status.PENDING, Signature.Status.CONFIRMED],
    )


def latest_since(petition: Petition, since: datetime, until: datetime) -> datetime:
    """The window's start, moved up until it holds at most REVIEW_ROWS signatures of each
    status (one index probe per status: the (petition, status, created_at) index)."""
    start = since
    for status in (Signature.Status.PENDING, Signature.Status.CONFIRMED):
        rows = Signature.objects.filter(
            petition=petition, status=status, created_at__gte=since, created_at__lte=until
        )
        nth = rows.order_by("-created_at").values_list("created_at", flat=True)
        for moment in nth[REVIEW_ROWS - 1 : REVIEW_ROWS]:
            start = max(start, moment)
    return start


def review(petition: Petition, since: datetime, until: datetime) -> Review:
    start = latest_since(petition, since, until)
    signatures = in_window(petition, start, until)
    total = signatures.count()
    result = Review(petition, start, until, total, shortened=start > since)
    since = start
    for dimension in InvalidationBatch.Dimension.values:
        rows = (
            signatures.exclude(**{dimension: ""})
            .values(dimension)
            .annotate(
                total=Count("pk"),
                confirmed=Count("pk", filter=Q(status=Signature.Status.CONFIRMED)),
                first=Min("created_at"),
                last=Max("created_at"),
            )
            .filter(total__gte=MINIMUM)
            .order_by("-total", dimension)[:TOP]
        )
        result.groups[dimension] = [
            Group(
                dimension=dimension,
                value=row[dimension],
                label=label(petition, dimension, row[dimension], since, until),
                total=row["total"],
                confirmed=row["confirmed"],
                pending=row["total"] - row["confirmed"],
                first=row["first"],
                last=row["last"],
                share=round(100 * row["total"] / total, 1) if total else 0.0,
            )
            for row in rows
        ]
    return result


def label(petition: Petition, dimension: str, value: str, since, until) -> str:
    """How staff see a value: a short hash, a domain (read from one address when only its
    digest is stored), a source as it is."""
    if dimension == InvalidationBatch.Dimension.IP_HASH:
        return value[:12]
    if dimension == InvalidationBatch.Dimension.EMAIL_DOMAIN and value.startswith("#"):
        # by time, not by id: the (petition, email_domain, created_at) index finds it at once,
        # where the first id would be looked for from the petition's oldest signature on
        same_domain = in_window(petition, since, until).filter(email_domain=value)
        sample = same_domain.only("email").order_by("created_at").first()
        return sample.email.rpartition("@")[2] if sample and sample.email else value
    return value


@dataclass
class Busiest:
    """Across every petition the reader may review, in the last hour: who (by address hash) and which email
    domains sent most, to spot a flood that spreads itself over several actions."""

    since: datetime
    addresses: list[tuple[str, int]]
    domains: list[tuple[str, int]]


def busiest_last_hour(signatures=None, now: datetime | None = None) -> Busiest:
    """`signatures`: the ones the reader may review (their organisations'); all of them
    for an operator."""
    since = (now or timezone.now()) - timedelta(hours=1)
    signatures = Signature.objects.all() if signatures is None else signatures
    recent = signatures.filter(  # the (status, created_at) index finds them
        status__in=[Signature.Status.PENDING, Signature.Status.CONFIRMED], created_at__gte=since
    )

    def top(dimension: str) -> list[tuple[str, int]]:
        rows = (
            recent.exclude(**{dimension: ""})
            .values_list(dimension)
            .annotate(total=Count("pk"))
            .order_by("-total", dimension)[:TOP]
        )
        return list(rows)

    addresses = [(value[:12], total) for value, total in top("ip_hash")]
    domains = [(domain_label(recent, value), total) for value, total in top("email_domain")]
    return Busiest(since, addresses, domains)


def domain_label(signatures, value: str) -> str:
    if not value.startswith("#"):  # a big shared provider, stored as it is
        return value
    sample = signatures.filter(email_domain=value).only("email").order_by("created_at").first()
    return sample.email.rpartition("@")[2] if sample and sample.email else value
