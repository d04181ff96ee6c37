"""OSDI, the Open Supporter Data Interface that Action Network speaks: public petitions and
an organisation's signatures as HAL+JSON (`application/hal+json`), so that tools made for
that standard can pull from us.

An adapter only: the same queries, keys, scoping, visibility rules, erasure tombstones and
signed cursors as the rest of the API (public.py, private.py). Signatures need a key and
so live under /api/v1/private/ like every keyed read; HAL clients reach them by following
each petition's `osdi:signatures` link."""

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db.models import Q
from ninja import Path, Query, Router
from ninja.security import APIKeyHeader
from pydantic import Field

from undersigned.petitions.models import CoHost, Petition, Signature

from . import cursors
from .caching import private_json, public_json
from .errors import ERRORS, ApiError, refuse_unknown_params
from .private import (
    FeedQuery,
    KeyAuth,
    UpdatedSince,
    authenticate_key,
    person_fields,
    signature_rows,
)
from .public import PageQuery, SlugPath, petitions_page, public_petition, public_petitions, throttle
from .schemas import Strict

HAL = "application/hal+json"
OSDI_VERSION = "1.1"
CURIES = [
    {"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}
]


class OsdiToken(APIKeyHeader):
    """`OSDI-API-Token: us_…`, the header OSDI clients send; the same keys as Bearer."""

    param_name = "OSDI-API-Token"

    def authenticate(self, request, key):
        return authenticate_key(request, key)


router = Router(tags=["osdi"])
keyed_router = Router(tags=["osdi"], auth=[KeyAuth(), OsdiToken()])


# What the answers look like (OSDI's names; aliases where HAL's names are not Python's)


class Link(Strict):
    href: str


class Curie(Strict):
    name: str
    href: str
    templated: bool


class Target(Strict):
    name: str


class PetitionLinks(Strict):
    self_: Link = Field(alias="self")
    signatures: Link = Field(alias="osdi:signatures")


class OsdiPetition(Strict):
    identifiers: list[str] = Field(description="`undersigned:petition-<id>`.")
    origin_system: str
    created_date: datetime
    modified_date: datetime
    title: str
    summary: str
    description: str = Field(description="Markdown, in the petition's original language.")
    petition_text: str = Field(description="The pledge a signer makes.")
    browser_url: str
    total_signatures: int = Field(ge=0)
    target: list[Target]
    links: PetitionLinks = Field(alias="_links")


class PageLinks(Strict):
    self_: Link = Field(alias="self")
    next: Link | None = Field(None, description="Absent on the last page.")
    curies: list[Curie]


class PetitionCollectionLinks(PageLinks):
    petitions: list[Link] = Field(alias="osdi:petitions")


class EmbeddedPetitions(Strict):
    petitions: list[OsdiPetition] = Field(alias="osdi:petitions")


class PetitionCollection(Strict):
    total_records: int = Field(ge=0)
    per_page: int = Field(ge=1)
    links: PetitionCollectionLinks = Field(alias="_links")
    embedded: EmbeddedPetitions = Field(alias="_embedded")


class EmailAddress(Strict):
    address: str
    primary: bool
    status: Literal["subscribed"] | None = Field(
        None, description="Present when the signer asked for updates by email."
    )


class PostalAddress(Strict):
    country: str = Field(description="ISO 3166-1 alpha-2.")


class Person(Strict):
    """Name and email are left out for a signer who chose to be counted only."""

    given_name: str | None = Field(None, description="The first word of the full name.")
    family_name: str | None = Field(None, description="The rest of the full name.")
    email_addresses: list[EmailAddress] | None = None
    postal_addresses: list[PostalAddress]
    languages_spoken: list[str]


class ReferrerData(Strict):
    source: str


class SignatureLinks(Strict):
    petition: Link = Field(alias="osdi:petition")


class EmbeddedPerson(Strict):
    person: Person = Field(alias="osdi:person")


class OsdiSignature(Strict):
    identifiers: list[str] = Field(
        description="`undersigned:signature-<id>`, the private API's id."
    )
    origin_system: str
    created_date: datetime
    modified_date: datetime = Field(description="Its confirmation, or its erasure.")
    action_date: datetime
    status: Literal["confirmed", "erased"] = Field(
        description="Not in OSDI: an erased signature is a tombstone with no person; "
        "delete the person you hold for it."
    )
    erased_date: datetime | None
    referrer_data: ReferrerData | None = None
    links: SignatureLinks = Field(alias="_links")
    embedded: EmbeddedPerson | None = Field(None, alias="_embedded")


class EmbeddedSignatures(Strict):
    signatures: list[OsdiSignature] = Field(alias="osdi:signatures")


class SignatureCollection(Strict):
    per_page: int = Field(ge=1)
    links: PageLinks = Field(alias="_links")
    embedded: EmbeddedSignatures = Field(alias="_embedded")


class EntryLinks(Strict):
    self_: Link = Field(alias="self")
    petitions: Link = Field(alias="osdi:petitions")
    curies: list[Curie]


class EntryPoint(Strict):
    motd: str
    vendor_name: str
    product_name: str
    osdi_version: str
    max_pagesize: int
    links: EntryLinks = Field(alias="_links")


class SignatureQuery(Strict):
    updated_since: UpdatedSince = None
    cursor: str | None = Field(None, max_length=cursors.MAX_LENGTH)
    limit: int = Field(cursors.DEFAULT_LIMIT, ge=1, le=cursors.MAX_LIMIT)


# Operations


def hal(request, data):
    return public_json(request, data, content_type=HAL)


@router.get("", response={200: EntryPoint, **ERRORS}, by_alias=True, operation_id="osdiEntryPoint")
def entry_point(request):
    """OSDI's API entry point: where the petitions are."""
    throttle(request)
    return hal(
        request,
        {
            "motd": f"{settings.SITE_NAME}: petitions in OSDI {OSDI_VERSION}",
            "vendor_name": settings.SITE_NAME,
            "product_name": "Undersigned",
            "osdi_version": OSDI_VERSION,
            "max_pagesize": cursors.MAX_LIMIT,
            "_links": {
                "self": link(request.path),
                "osdi:petitions": link("/api/v1/osdi/petitions"),
                "curies": CURIES,
            },
        },
    )


@router.get(
    "/petitions",
    response={200: PetitionCollection, **ERRORS},
    by_alias=True,
    operation_id="osdiListPetitions",
)
def list_petitions(request, page: Query[PageQuery]):
    """Public petitions (not drafts), oldest first, as `osdi:petitions`."""
    throttle(request, PageQuery)
    chosen, next_cursor = petitions_page(page)
    resources = [petition_resource(petition) for petition in chosen]
    return hal(
        request,
        {
            "total_records": public_petitions().count(),
            "per_page": page.limit,
            "_links": {
                **page_links(request, next_cursor),
                "osdi:petitions": [resource["_links"]["self"] for resource in resources],
            },
            "_embedded": {"osdi:petitions": resources},
        },
    )


@router.get(
    "/petitions/{slug}",
    response={200: OsdiPetition, **ERRORS},
    by_alias=True,
    operation_id="osdiGetPetition",
)
def get_petition(request, path: Path[SlugPath]):
    throttle(request)
    return hal(request, petition_resource(public_petition(path.slug)))


@keyed_router.get(
    "/petitions/{slug}/signatures",
    response={200: SignatureCollection, **ERRORS},
    by_alias=True,
    operation_id="osdiListSignatures",
)
def list_signatures(request, path: Path[SlugPath], feed: Query[SignatureQuery]):
    """The confirmed signatures of one of the key's organisation's petitions, and
    tombstones of erased ones, by when each last changed (as /private/signatures)."""
    refuse_unknown_params(request, SignatureQuery)
    api_key = request.auth
    petition = readable_petition(api_key.organisation_id, path.slug)
    if petition is None:
        raise ApiError(404, "not found")
    chosen, next_cursor = signature_rows_of(api_key, petition, feed)
    petition_link = link(petition_path(petition))
    return private_json(
        {
            "per_page": feed.limit,
            "_links": page_links(request, next_cursor),
            "_embedded": {
                "osdi:signatures": [
                    signature_resource(row, petition_link, api_key.organisation_id)
                    for row in chosen
                ]
            },
        },
        content_type=HAL,
    )


def readable_petition(organisation_id: int, slug: str) -> Petition | None:
    """A petition the key's organisation runs or co-hosts (it then reads only the signers
    who opted in to it: the rows come from the private feed's query)."""
    cohosted = CoHost.objects.filter(organisation_id=organisation_id).values("petition")
    petitions = Petition.objects.filter(Q(organiser=organisation_id) | Q(pk__in=cohosted))
    return petitions.filter(slug=slug).first()


def signature_rows_of(api_key, petition: Petition, feed: SignatureQuery):
    query = FeedQuery.model_construct(**feed.dict(), petition=petition.slug)  # checked already
    return signature_rows(api_key, query, f"osdi-signatures:{petition.pk}", subscribers=False)


# Resources


def link(path: str) -> dict:
    return {"href": f"{settings.SITE_URL}{path}"}


def petition_path(petition: Petition) -> str:
    return f"/api/v1/osdi/petitions/{petition.slug}"


def page_links(request, next_cursor: str | None) -> dict:
    links = {"self": link(request.get_full_path()), "curies": CURIES}
    if next_cursor:
        params = request.GET.copy()
        params["cursor"] = next_cursor
        links["next"] = link(f"{request.path}?{params.urlencode()}")
    return links


def petition_resource(petition: Petition) -> dict:
    text = petition.text_in(petition.original_language)
    return {
        "identifiers": [f"undersigned:petition-{petition.pk}"],
        "origin_system": settings.SITE_NAME,
        "created_date": petition.created_at,
        "modified_date": petition.updated_at,
        "title": text.title if text else petition.slug,
        "summary": text.summary if text else "",
        "description": text.body if text else "",
        "petition_text": text.pledge if text else "",
        "browser_url": f"{settings.SITE_URL}{petition.public_url(petition.original_language)}",
        "total_signatures": petition.signature_count(),
        "target": [{"name": target.name} for target in petition.targets.all()],
        "_links": {
            "self": link(petition_path(petition)),
            "osdi:signatures": link(f"/api/v1/private/osdi/petitions/{petition.slug}/signatures"),
        },
    }


def signature_resource(row: Signature, petition_link: dict, organisation: int) -> dict:
    erased = row.erased_at is not None
    resource = {
        "identifiers": [f"undersigned:signature-{row.pk}"],
        "origin_system": settings.SITE_NAME,
        "created_date": row.created_at,
        "modified_date": row.changed_at,
        "action_date": row.created_at,
        "status": "erased" if erased else "confirmed",
        "erased_date": row.erased_at,
        "_links": {"osdi:petition": petition_link},
    }
    if erased:
        return resource
    if row.source:
        resource["referrer_data"] = {"source": row.source}
    as_cohost = row.petition.organiser_id != organisation
    resource["_embedded"] = {"osdi:person": person_resource(person_fields(row, as_cohost))}
    return resource


def person_resource(fields: dict) -> dict:
    """OSDI's person from what private.person_fields lets a key see of the signer."""
    person = {
        "postal_addresses": [{"country": fields["country"]}],
        "languages_spoken": [fields["language"]],
    }
    if fields["name"]:
        given, _, family = fields["name"].strip().partition(" ")
        person["given_name"] = given
        if family.strip():
            person["family_name"] = family.strip()
    if fields["email"]:
        address = {"address": fields["email"], "primary": True}
        if fields["opt_in"]:
            address["status"] = "subscribed"
        person["email_addresses"] = [address]
    return person


def document_hal(schema: dict) -> None:
    """The OpenAPI document says what OSDI answers are: application/hal+json."""
    for path, operations in schema["paths"].items():
        if "/osdi" not in path:
            continue
        for operation in operations.values():
            content = operation["responses"][200]["content"]
            content[HAL] = content.pop("application/json")
