"""CSV of endorsements for staff, contact details included (staff-only)."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from .models import Endorsement

COLUMNS = [
    "letter",
    "name",
    "country",
    "website",
    "networks",
    "status",
    "contact_name",
    "contact_email",
    "authorised",
    "language",
    "created_at",
    "confirmed_at",
    "reviewed_at",
    "rejection_reason",
]


def safe_cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: quote them."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def endorsement_row(endorsement: Endorsement) -> list[str]:
    values = [
        endorsement.letter.slug,
        endorsement.name,
        endorsement.country.code,
        endorsement.website,
        endorsement.markers(),
        endorsement.status,
        endorsement.contact_name,
        endorsement.contact_email,
        "yes" if endorsement.authorised else "no",
        endorsement.language,
        endorsement.created_at.isoformat(),
        endorsement.confirmed_at.isoformat() if endorsement.confirmed_at else "",
        endorsement.reviewed_at.isoformat() if endorsement.reviewed_at else "",
        endorsement.rejection_reason,
    ]
    return [safe_cell(value) for value in values]


def endorsements_csv(queryset, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    rows = queryset.select_related("letter").prefetch_related("networks").order_by("letter", "pk")
    for endorsement in rows:
        writer.writerow(endorsement_row(endorsement))
    return response
