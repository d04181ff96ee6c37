"""The daily digest of endorsements waiting for an organisation's staff to verify them."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from undersigned.staff import access
from undersigned.staff.models import Membership

from .models import Endorsement, EndorsementToReview


@dataclass
class Digest:
    key: str
    to: str
    context: dict


def waiting_by_organisation() -> dict[int, list[dict]]:
    rows = (
        Endorsement.objects.filter(status=Endorsement.Status.PENDING_REVIEW)
        .values("letter__organiser_id", "letter__title")
        .annotate(count=Count("pk"))
        .order_by("letter__organiser_id", "letter__title")
    )
    waiting: dict[int, list[dict]] = {}
    for row in rows:
        waiting.setdefault(row["letter__organiser_id"], []).append(
            {"title": row["letter__title"], "count": row["count"]}
        )
    return waiting


def review_digests(day: date) -> list[Digest]:
    review_url = settings.SITE_URL + reverse(
        f"admin:letters_{EndorsementToReview._meta.model_name}_changelist"
    )
    digests = []
    waiting = waiting_by_organisation()
    memberships = Membership.objects.filter(organisation_id__in=waiting).select_related(
        "user", "organisation"
    )
    for membership in memberships:
        user, organisation = membership.user, membership.organisation
        if not (user.is_active and user.email):
            continue
        if not access.may(user, "letters.change_endorsement", organisation):
            continue
        letters = waiting[organisation.pk]
        digests.append(
            Digest(
                key=f"review-digest:{organisation.pk}:{user.pk}:{day.isoformat()}",
                to=user.email,
                context={
                    "organisation_name": organisation.name,
                    "letters": letters,
                    "total": sum(row["count"] for row in letters),
                    "review_url": review_url,
                },
            )
        )
    return digests
