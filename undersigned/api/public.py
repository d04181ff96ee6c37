"""The public read API: public petitions and letters, a letter's signatories, a count.
No personal data: a letter's signatories are organisations, listed as on its page."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from ninja import Path, Query, Router
from pydantic import Field

from undersigned.letters.models import Endorsement, Letter
from undersigned.petitions.models import Petition
from undersigned.petitions.pagecache import remembered
from undersigned.protection.limits import over_limit

from . import cursors
from .caching import public_json
from .errors import ERRORS, ApiError, refuse_unknown_params
from .schemas import (
    CountOut,
    LetterOut,
    LetterPage,
    PetitionOut,
    PetitionPage,
    SignatoryPage,
    Slug,
    Strict,
)

router = Router(tags=["public"])

COUNT_MAX_AGE = 2
COUNT_STALE = 30


class PageQuery(Strict):
    cursor: str | None = Field(None, max_length=cursors.MAX_LENGTH)
    limit: int = Field(cursors.DEFAULT_LIMIT, ge=1, le=cursors.MAX_LIMIT)


class SlugPath(Strict):
    slug: str = Slug


def throttle(request, *query_schemas) -> None:
    if over_limit(request, "api"):
        raise ApiError(429, "too many requests", headers={"Retry-After": "60"})
    refuse_unknown_params(request, *query_schemas)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# Petitions


@router.get("/petitions", response={200: PetitionPage, **ERRORS}, operation_id="listPetitions")
def list_petitions(request, page: Query[PageQuery]):
    """Public petitions (not drafts), oldest first."""
    throttle(request, PageQuery)
    chosen, next_cursor = petitions_page(page)
    return public_json(
        request,
        {"items": [petition_out(petition) for petition in chosen], "next_cursor": next_cursor},
    )


def petitions_page(page: PageQuery):
    """One page of public petitions, oldest first, and the next page's cursor (or None).
    The OSDI adapter pages through the same rows."""
    after = cursors.read(page.cursor, "petitions")
    petitions = public_petitions()
    if after:
        petitions = petitions.filter(pk__gt=after[0])
    chosen = list(petitions[: page.limit + 1])
    more = len(chosen) > page.limit
    chosen = chosen[: page.limit]
    return chosen, cursors.make("petitions", chosen[-1].pk) if more else None


@router.get("/petitions/{slug}", response={200: PetitionOut, **ERRORS}, operation_id="getPetition")
def get_petition(request, path: Path[SlugPath]):
    throttle(request)
    return public_json(request, petition_out(public_petition(path.slug)))


def public_petition(slug: str) -> Petition:
    petition = public_petitions().filter(slug=slug).first()
    if petition is None:
        raise ApiError(404, "not found")
    return petition


@router.get(
    "/petitions/{slug}/count", response={200: CountOut, **ERRORS}, operation_id="petitionCount"
)
def petition_count(request, path: Path[SlugPath]):
    """The confirmed-signature count: cheap (a cached sum of a few shard rows) and cacheable
    by any CDN for two seconds, so pages and partners can poll it during a surge."""
    return count_answer(request, path.slug)


def count_answer(request, slug: str):
    """The count's answer, for the operation above and for its plain GETs (see urls.py)."""
    throttle(request)
    count = remembered(f"api-count:{slug}", lambda: count_for(slug))
    if count is None:
        raise ApiError(404, "not found")
    return public_json(
        request, {"slug": slug, "count": count}, max_age=COUNT_MAX_AGE, stale=COUNT_STALE
    )


def count_for(slug: str) -> int | None:
    petition_id = petition_id_for(slug)
    return None if petition_id is None else Petition(pk=petition_id).signature_count()


def petition_id_for(slug: str) -> int | None:
    key = f"petition-id:{slug}"
    petition_id = cache.get(key)
    if petition_id is None:
        petition_id = (
            Petition.objects.public().filter(slug=slug).values_list("pk", flat=True).first() or 0
        )
        cache.set(key, petition_id, 60)
    return petition_id or None


def public_petitions():
    return (
        Petition.objects.public()
        .order_by("pk")
        .select_related("organiser")
        .prefetch_related("texts", "targets", "delivery__texts")
    )


def petition_out(petition: Petition) -> dict:
    count = petition.signature_count()
    return {
        "slug": petition.slug,
        "url": absolute(petition.public_url(petition.original_language)),
        "state": petition.public_state,
        "original_language": petition.original_language,
        "texts": [
            {
                "language": text.language,
                "title": text.title,
                "summary": text.summary,
                "body": text.body,
                "pledge_heading": text.pledge_heading,
                "pledge": text.pledge,
            }
            for text in sorted(petition.texts.all(), key=lambda text: text.language)
        ],
        "targets": [target_out(target) for target in petition.targets.all()],
        "organiser": organiser_out(petition.organiser),
        "count": count,
        "goal": petition.current_goal(count),
        "opens_at": petition.opens_at,
        "closes_at": petition.closes_at,
        "closed_at": petition.closed_at,
        "delivery": delivery_out(petition),
    }


# Letters


@router.get("/letters", response={200: LetterPage, **ERRORS}, operation_id="listLetters")
def list_letters(request, page: Query[PageQuery]):
    """Public sign-on letters (originals; each lists its translations), oldest first."""
    throttle(request, PageQuery)
    after = cursors.read(page.cursor, "letters")
    letters = public_letters()
    if after:
        letters = letters.filter(pk__gt=after[0])
    chosen = list(letters[: page.limit + 1])
    more = len(chosen) > page.limit
    chosen = chosen[: page.limit]
    return public_json(
        request,
        {
            "items": [letter_out(letter) for letter in chosen],
            "next_cursor": cursors.make("letters", chosen[-1].pk) if more else None,
        },
    )


@router.get("/letters/{slug}", response={200: LetterOut, **ERRORS}, operation_id="getLetter")
def get_letter(request, path: Path[SlugPath]):
    """A letter by the slug of its original or of any public translation."""
    throttle(request)
    return public_json(request, letter_out(letter_for(path.slug)))


@router.get(
    "/letters/{slug}/signatories",
    response={200: SignatoryPage, **ERRORS},
    operation_id="listSignatories",
)
def list_signatories(request, path: Path[SlugPath], page: Query[PageQuery]):
    """The approved signatory organisations, numbered as on the letter's page."""
    throttle(request, PageQuery)
    letter = letter_for(path.slug)
    after = cursors.read(page.cursor, f"signatories:{letter.pk}")
    start = int(after[0]) if after else 0
    rows = list(Endorsement.objects.numbered(letter)[start : start + page.limit + 1])
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    end = start + len(rows)
    return public_json(
        request,
        {
            "items": [
                {
                    "number": row.number,
                    "name": row.name,
                    "country": str(row.country or ""),
                    "website": row.website,
                    "networks": [network.marker for network in row.networks.all()],
                }
                for row in rows
            ],
            "networks": [
                {"marker": n.marker, "name": n.name, "names": n.translated_names}
                for n in letter.networks()
            ],
            "next_cursor": cursors.make(f"signatories:{letter.pk}", end) if more else None,
        },
    )


def public_letters():
    return (
        Letter.objects.public()
        .originals()
        .order_by("pk")
        .select_related("organiser")
        .prefetch_related("targets", "delivery__texts")
    )


def letter_for(slug: str) -> Letter:
    letter = Letter.objects.public().filter(slug=slug).select_related("translation_of").first()
    if letter is None:
        raise ApiError(404, "not found")
    return public_letters().get(pk=letter.original.pk)


def letter_out(letter: Letter) -> dict:
    versions = sorted(letter.versions(), key=lambda version: version.language)
    return {
        "slug": letter.slug,
        "url": absolute(letter.public_url(letter.language)),
        "state": letter.state,
        "language": letter.language,
        "texts": [
            {
                "language": version.language,
                "slug": version.slug,
                "url": absolute(letter.public_url(version.language)),
                "title": version.title,
                "summary": version.summary,
                "body": version.body,
            }
            for version in versions
        ],
        "targets": [target_out(target) for target in letter.targets.all()],
        "organiser": organiser_out(letter.organiser),
        "count": letter.signatories().count(),
        "place": letter.place,
        "dated": letter.dated,
        "created_at": letter.created_at,
        "closed_at": letter.closed_at,
        "delivery": delivery_out(letter),
    }


# Shared parts


def organiser_out(organisation) -> dict:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "names": organisation.translated_names,
        "website": organisation.website,
    }


def target_out(target) -> dict:
    return {
        "slug": target.slug,
        "name": target.name,
        "names": target.translated_names,
        "kind": target.kind,
    }


def delivery_out(action) -> dict | None:
    if action.state != "delivered":
        return None
    try:
        delivery = action.delivery
    except ObjectDoesNotExist:
        return None
    return {
        "delivered_on": delivery.delivered_on,
        "method": delivery.method,
        "texts": [
            {
                "language": text.language,
                "recipients": delivery.recipients_in(text.language),
                "note": text.note,
            }
            for text in delivery.texts.all()
        ],
    }
