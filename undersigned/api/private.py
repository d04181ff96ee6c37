"""The private API: an organisation's own signers, with one of its API keys.

Reads are incremental: each item carries `updated_at`, answers come oldest change first,
and `next_cursor` (or `updated_since`) picks up where the last pull stopped. An erased
signature comes back as a tombstone (`status: "erased"`, no personal data) so that a CRM
can delete what the signer erased. A write-scoped key adds signatures through the public
form's validation, duplicate rule, rate limits and email confirmation."""

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django_ratelimit.core import is_ratelimited
from ninja import Path, Query, Router
from ninja.security import HttpBearer
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from undersigned.letters.models import Endorsement
from undersigned.petitions.forms import SignatureForm, sanitise_source
from undersigned.petitions.models import Petition, Signature, Visibility, last_change
from undersigned.petitions.services import PetitionClosed, sign_petition
from undersigned.protection.clients import ip_hash
from undersigned.protection.crypto import email_digest
from undersigned.staff import access

from . import cursors
from .caching import private_json
from .errors import ERRORS, ApiError, refuse_unknown_params
from .keys import find_key, is_usable, note_use
from .models import ApiKey
from .schemas import Slug, Strict


class KeyAuth(HttpBearer):
    """`Authorization: Bearer us_…`: a key of the organisation whose signers are read."""

    def authenticate(self, request, token):
        return authenticate_key(request, token)


def authenticate_key(request, token: str | None) -> ApiKey | None:
    """The usable key the token is, audited; None for no key of ours; 401/429 refusals."""
    api_key = find_key(token or "")
    if api_key is None:
        return None
    if not is_usable(api_key):
        raise ApiError(401, "this API key is revoked or expired")
    if key_over_limit(request, api_key):
        raise ApiError(429, "too many requests", headers={"Retry-After": "60"})
    note_use(api_key, request)
    return api_key


router = Router(tags=["private"], auth=KeyAuth())


def key_over_limit(request, api_key: ApiKey) -> bool:
    rate = settings.RATE_LIMITS.get("api_key", {}).get("key")
    if not rate:
        return False
    try:
        return is_ratelimited(
            request, group="api_key", key=lambda _g, _r: str(api_key.pk), rate=rate, increment=True
        )
    except Exception:  # the cache is down: serve rather than fail the partner's sync
        return False


ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def iso_moment(value):
    """Only an ISO 8601 moment: pydantic would also take a number as a Unix time."""
    if value is not None and not (isinstance(value, str) and ISO_MOMENT.match(value)):
        raise ValueError("give a moment in ISO 8601 with a time zone, e.g. 2026-01-31T12:00:00Z")
    return value


def in_utc(value):
    """Stored moments are UTC; PostgreSQL refuses offsets beyond ±15:59, so convert here."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("this moment is out of range") from None


UpdatedSince = Annotated[
    AwareDatetime | None,
    BeforeValidator(iso_moment),
    AfterValidator(in_utc),
    Field(description="Only what changed at or after this moment (ISO 8601, with zone)."),
]


class FeedQuery(Strict):
    updated_since: UpdatedSince = None
    cursor: str | None = Field(None, max_length=cursors.MAX_LENGTH)
    limit: int = Field(cursors.DEFAULT_LIMIT, ge=1, le=cursors.MAX_LIMIT)
    petition: str | None = Field(None, max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")


class SignatureItem(Strict):
    """A signature, or the tombstone of an erased one (every personal field null).

    The fields that name a person (name, email) are filled by `person_fields`, the one place
    that decides what of a signer a key may see."""

    id: int
    petition: str
    status: Literal["confirmed", "erased"]
    updated_at: datetime
    name: str | None
    email: str | None
    country: str | None
    language: str | None
    source: str | None
    opt_in: bool | None
    consent_text: str | None
    consent_version: str | None
    signed_at: datetime | None
    confirmed_at: datetime | None
    erased_at: datetime | None


class SignaturePage(Strict):
    items: list[SignatureItem]
    next_cursor: str | None


class EndorsementItem(Strict):
    id: int
    letter: str
    status: str
    updated_at: datetime
    name: str
    country: str
    website: str
    contact_name: str
    contact_email: str
    language: str
    created_at: datetime
    source: str
    consent_text: str | None = Field(
        description="For a co-host's key: the consent the contact gave the co-host."
    )
    consent_version: str | None


class EndorsementPage(Strict):
    items: list[EndorsementItem]
    next_cursor: str | None


# Signatures and subscribers


def signature_feed(api_key: ApiKey, feed: FeedQuery, kind: str, subscribers: bool):
    """Confirmed signatures and the tombstones of erased ones, by when they last changed:
    of the organisation's own petitions, and of those it co-hosts, the signers who opted
    in to it (staff.access decides which rows a key reads)."""
    chosen, next_cursor = signature_rows(api_key, feed, kind, subscribers)
    organisation = api_key.organisation_id
    return {
        "items": [signature_item(row, organisation) for row in chosen],
        "next_cursor": next_cursor,
    }


def signature_rows(api_key: ApiKey, feed: FeedQuery, kind: str, subscribers: bool):
    """One page of the organisation's signatures (confirmed, or erased: tombstones) by when
    each last changed (`changed_at`), and the cursor of the next page (None at the end).
    The OSDI adapter pages through the same rows."""
    rows = signature_query(api_key, feed, kind, subscribers)
    chosen = list(rows[: feed.limit + 1])
    more = len(chosen) > feed.limit
    chosen = chosen[: feed.limit]
    last = chosen[-1] if chosen else None
    next_cursor = (
        cursors.make(f"{kind}:{api_key.pk}", last.changed_at.isoformat(), last.pk) if more else None
    )
    return chosen, next_cursor


def signature_query(api_key: ApiKey, feed: FeedQuery, kind: str, subscribers: bool):
    """The feed's rows from the cursor or `updated_since` on, in the order of the
    `signature_feed` index (petitions/models.py), so that a pull reads only what changed."""
    organisation = api_key.organisation_id
    rows = access.for_organisation(Signature.objects.all(), organisation)
    if feed.petition:  # by its id, so that the feed index's first column applies
        petition = Petition.objects.filter(slug=feed.petition).values_list("pk", flat=True)
        rows = rows.filter(petition_id=petition.first() or 0)
    live = Q(status=Signature.Status.CONFIRMED, erased_at__isnull=True)
    if subscribers:  # the organiser's opt-ins; a co-host reads only its own anyway
        live &= Q(opt_in=True) | Q(cohost=organisation)
    rows = (
        rows.filter(live | Q(erased_at__isnull=False))
        .annotate(changed_at=last_change())
        .select_related("petition")
        .order_by("changed_at", "pk")
    )
    return changed_from(rows, "changed_at", feed, f"{kind}:{api_key.pk}")


def signature_item(row: Signature, organisation: int) -> dict:
    erased = row.erased_at is not None
    item = {
        "id": row.pk,
        "petition": row.petition.slug,
        "status": "erased" if erased else "confirmed",
        "updated_at": row.changed_at,
        "erased_at": row.erased_at,
        **dict.fromkeys(PERSONAL_FIELDS),
    }
    if not erased:
        item.update(person_fields(row, as_cohost=row.petition.organiser_id != organisation))
    return item


PERSONAL_FIELDS = (
    "name",
    "email",
    "country",
    "language",
    "source",
    "opt_in",
    "consent_text",
    "consent_version",
    "signed_at",
    "confirmed_at",
)


def person_fields(row: Signature, as_cohost: bool = False) -> dict:
    """What a key sees of one signer: a signer who chose to be counted only is sent to no
    partner, so their name and email are withheld (the fields are nullable for that). A
    co-host's key sees the consent given to the co-host, not the organiser's."""
    counted_only = row.visibility == Visibility.COUNT
    if as_cohost:
        consent = {
            "opt_in": True,
            "consent_text": row.cohost_consent_text,
            "consent_version": row.cohost_consent_version,
        }
    else:
        consent = {
            "opt_in": row.opt_in,
            "consent_text": row.consent_text if row.opt_in else None,
            "consent_version": row.consent_version if row.opt_in else None,
        }
    return {
        "name": None if counted_only else row.name,
        "email": None if counted_only else row.email,
        "country": str(row.country),
        "language": row.language,
        "source": row.source,
        **consent,
        "signed_at": row.created_at,
        "confirmed_at": row.confirmed_at,
    }


@router.get(
    "/signatures", response={200: SignaturePage, **ERRORS}, operation_id="listOwnSignatures"
)
def list_signatures(request, feed: Query[FeedQuery]):
    """The organisation's confirmed signatures, and tombstones of erased ones."""
    refuse_unknown_params(request, FeedQuery)
    return private_json(signature_feed(request.auth, feed, "signatures", subscribers=False))


@router.get(
    "/subscribers", response={200: SignaturePage, **ERRORS}, operation_id="listOwnSubscribers"
)
def list_subscribers(request, feed: Query[FeedQuery]):
    """Signers who asked for updates by email (with the consent text and version they
    agreed to), and tombstones of erased signatures."""
    refuse_unknown_params(request, FeedQuery)
    return private_json(signature_feed(request.auth, feed, "subscribers", subscribers=True))


# Endorsements


class EndorsementQuery(Strict):
    updated_since: UpdatedSince = None
    cursor: str | None = Field(None, max_length=cursors.MAX_LENGTH)
    limit: int = Field(cursors.DEFAULT_LIMIT, ge=1, le=cursors.MAX_LIMIT)


@router.get(
    "/endorsements",
    response={200: EndorsementPage, **ERRORS},
    operation_id="listOwnEndorsements",
)
def list_endorsements(request, feed: Query[EndorsementQuery]):
    """Endorsements of the organisation's letters, and of the letters it co-hosts those
    whose contact opted in to it, by when they last changed."""
    refuse_unknown_params(request, EndorsementQuery)
    api_key = request.auth
    kind = f"endorsements:{api_key.pk}"
    rows = endorsement_query(api_key, feed)
    chosen = list(rows[: feed.limit + 1])
    more = len(chosen) > feed.limit
    chosen = chosen[: feed.limit]
    organisation = api_key.organisation_id
    return private_json(
        {
            "items": [endorsement_item(row, organisation) for row in chosen],
            "next_cursor": cursors.make(kind, chosen[-1].updated_at.isoformat(), chosen[-1].pk)
            if more
            else None,
        }
    )


def endorsement_query(api_key: ApiKey, feed: EndorsementQuery):
    """From the cursor or `updated_since` on, in the order of the `endorsement_feed` index."""
    rows = (
        access.for_organisation(Endorsement.objects.all(), api_key.organisation_id)
        .select_related("letter")
        .order_by("updated_at", "pk")
    )
    return changed_from(rows, "updated_at", feed, f"endorsements:{api_key.pk}")


def changed_from(rows, field: str, feed, cursor_kind: str):
    """The rows whose `field` is at or after `updated_since` and past the feed's cursor.
    The >= bound alone lets the feed index start at the cursor; the Q settles the ties."""
    if feed.updated_since:
        rows = rows.filter(**{f"{field}__gte": feed.updated_since})
    after = cursors.read(feed.cursor, cursor_kind)
    if after:
        moment, pk = datetime.fromisoformat(after[0]), after[1]
        rows = rows.filter(**{f"{field}__gte": moment})
        rows = rows.filter(Q(**{f"{field}__gt": moment}) | Q(pk__gt=pk))
    return rows


def endorsement_item(row: Endorsement, organisation: int) -> dict:
    as_cohost = row.letter.organiser_id != organisation
    return {
        "id": row.pk,
        "letter": row.letter.slug,
        "status": row.status,
        "updated_at": row.updated_at,
        "name": row.name,
        "country": str(row.country or ""),
        "website": row.website,
        "contact_name": row.contact_name,
        "contact_email": row.contact_email,
        "language": row.language,
        "created_at": row.created_at,
        "source": row.source,
        "consent_text": row.cohost_consent_text if as_cohost else None,
        "consent_version": row.cohost_consent_version if as_cohost else None,
    }


# Adding signatures collected elsewhere


class NewSignature(Strict):
    name: str = Field(max_length=120)
    email: str = Field(max_length=254)
    country: str = Field(max_length=2)
    opt_in: bool = False
    language: Literal["en", "ar"] = "en"
    source: str = Field("", max_length=64)
    visibility: Literal["public", "target", "count"] | None = Field(
        None,
        description="Who may see the signer's name, as they chose it; the petition's "
        "default when left out.",
    )


class Accepted(Strict):
    status: Literal["accepted"]
    confirmation: Literal["email"]


class PetitionSlug(Strict):
    slug: str = Slug


class ApiSignatureForm(SignatureForm):
    """The public form's fields and checks, without the browser's bot traps."""

    def check_pace(self) -> None:
        pass


@router.post(
    "/petitions/{slug}/signatures",
    response={202: Accepted, **ERRORS},
    operation_id="addSignature",
)
def add_signature(request, path: Path[PetitionSlug], payload: NewSignature):
    """Add a signature collected elsewhere (a paper form, a stall). Like every signature
    without a browser's proof, it counts once its owner confirms by email. A repeat of an
    address that has signed answers exactly as the first time."""
    refuse_unknown_params(request)
    api_key = request.auth
    if not api_key.may_write:
        raise ApiError(403, "this API key may only read")
    petition = (
        Petition.objects.select_related("organiser")
        .filter(slug=path.slug, organiser=api_key.organisation_id)
        .first()
    )
    if petition is None:
        raise ApiError(404, "not found")
    if not petition.is_open:
        raise ApiError(409, "this petition is not open for signatures")
    data = {key: value for key, value in payload.dict().items() if value is not None}
    form = ApiSignatureForm(
        data=data, opt_in_label="", default_visibility=petition.default_visibility
    )
    if not form.is_valid():
        raise ApiError(422, "invalid request", form_errors(form))
    if signer_over_limit(request, form.cleaned_data["email"]):
        raise ApiError(429, "too many requests", headers={"Retry-After": "600"})
    try:
        sign_petition(
            petition,
            language=payload.language,
            ip_hash=ip_hash(request),
            needs_confirmation=True,
            source=sanitise_source(payload.source) or "api",
            **form.cleaned_data,
        )
    except PetitionClosed:
        raise ApiError(409, "this petition is not open for signatures") from None
    except DatabaseError:
        raise ApiError(503, "something went wrong, please try again later") from None
    return private_json({"status": "accepted", "confirmation": "email"}, status=202)


def form_errors(form) -> list[dict]:
    return [
        {"name": field, "location": "body", "message": str(message)[:500]}
        for field, messages in form.errors.items()
        for message in messages
    ]


def signer_over_limit(request, email: str) -> bool:
    """The public form's limit per address, counted in the same buckets."""
    rate = settings.RATE_LIMITS.get("sign", {}).get("email")
    if not rate:
        return False
    try:
        return is_ratelimited(
            request,
            group="sign:email",
            key=lambda _g, _r: email_digest(email),
            rate=rate,
            increment=True,
        )
    except Exception:  # the cache is down: keep accepting rather than lose signatures
        return False
