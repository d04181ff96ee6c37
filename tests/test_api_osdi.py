"""The OSDI adapter as a tool made for Action Network's standard uses it: start at the entry
point, follow HAL links to petitions and their signatures, page by `next`, with the same
keys, scoping, visibility and erasure rules as the private API."""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from undersigned.api.keys import create_key, revoke_key
from undersigned.api.models import ApiKey
from undersigned.petitions.models import Petition, Signature, State
from undersigned.supporters.services import erase_signer

from .factories import make_petition
from .test_api_private import get, key_for, make_two_organisations, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_organisations():
    return make_two_organisations()


HAL = "application/hal+json"
ENTRY = "/api/v1/osdi"


def path_of(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def follow(client, href, key=None, **params):
    headers = {"HTTP_OSDI_API_TOKEN": key} if key else {}
    return client.get(path_of(href), params, **headers)


def test_a_client_walks_from_the_entry_point_to_the_signatures(client, two_organisations):
    ours, _, petition = two_organisations
    key = key_for(ours)
    entry = client.get(ENTRY)
    assert entry.status_code == 200 and entry["Content-Type"] == HAL
    assert entry.json()["osdi_version"] == "1.1"
    petitions = follow(client, entry.json()["_links"]["osdi:petitions"]["href"])
    assert petitions["Content-Type"] == HAL
    assert petitions.json()["total_records"] == 2
    ours_resource = next(
        item
        for item in petitions.json()["_embedded"]["osdi:petitions"]
        if item["identifiers"] == [f"undersigned:petition-{petition.pk}"]
    )
    text = petition.text_in(petition.original_language)
    assert ours_resource["title"] == text.title
    assert ours_resource["petition_text"] == text.pledge
    assert ours_resource["total_signatures"] == 2
    assert ours_resource["target"] == [{"name": t.name} for t in petition.targets.all()]
    assert ours_resource["created_date"] and ours_resource["modified_date"]
    signatures = follow(client, ours_resource["_links"]["osdi:signatures"]["href"], key)
    assert signatures.status_code == 200
    assert signatures["Content-Type"] == HAL
    assert signatures["Cache-Control"] == "private, no-store"
    assert "Access-Control-Allow-Origin" not in signatures
    people = [
        item["_embedded"]["osdi:person"]
        for item in signatures.json()["_embedded"]["osdi:signatures"]
    ]
    assert [(p["given_name"], p["family_name"]) for p in people] == [
        ("Amal", "Haddad"),
        ("Omar", "Khalil"),
    ]
    assert people[0]["email_addresses"] == [
        {"address": "amal@example.org", "primary": True, "status": "subscribed"}
    ]
    assert people[1]["email_addresses"] == [{"address": "omar@example.org", "primary": True}]
    assert people[0]["postal_addresses"] == [{"country": "LB"}]
    first = signatures.json()["_embedded"]["osdi:signatures"][0]
    amal = Signature.objects.get(name="Amal Haddad")
    assert first["identifiers"] == [f"undersigned:signature-{amal.pk}"]
    assert first["status"] == "confirmed"
    assert (
        path_of(first["_links"]["osdi:petition"]["href"])
        == f"/api/v1/osdi/petitions/{petition.slug}"
    )


def test_the_bearer_header_works_too(client, two_organisations):
    ours, _, petition = two_organisations
    url = f"/api/v1/private/osdi/petitions/{petition.slug}/signatures"
    response = get(client, url, key_for(ours))
    assert len(response.json()["_embedded"]["osdi:signatures"]) == 2


def test_pages_follow_the_next_link_until_there_is_none(client, two_organisations):
    ours, _, petition = two_organisations
    key = key_for(ours)
    url = f"/api/v1/private/osdi/petitions/{petition.slug}/signatures"
    first = follow(client, f"http://x{url}", key, limit=1).json()
    assert first["per_page"] == 1
    assert "total_records" not in first  # not cheap for signatures: not given
    second = follow(client, first["_links"]["next"]["href"], key).json()
    assert "next" not in second["_links"]
    names = [
        page["_embedded"]["osdi:signatures"][0]["_embedded"]["osdi:person"]["given_name"]
        for page in (first, second)
    ]
    assert names == ["Amal", "Omar"]
    since = timezone.now()
    sign(petition, "Rana Nasser", "rana@example.org")
    newer = follow(client, f"http://x{url}", key, updated_since=since.isoformat()).json()
    (item,) = newer["_embedded"]["osdi:signatures"]
    assert item["_embedded"]["osdi:person"]["given_name"] == "Rana"


def test_public_petitions_page_with_the_same_cursors(client, two_organisations):
    first = client.get("/api/v1/osdi/petitions", {"limit": 1}).json()
    assert len(first["_embedded"]["osdi:petitions"]) == 1
    assert first["_links"]["osdi:petitions"] == [
        first["_embedded"]["osdi:petitions"][0]["_links"]["self"]
    ]
    second = follow(client, first["_links"]["next"]["href"]).json()
    assert "next" not in second["_links"]
    assert (
        second["_embedded"]["osdi:petitions"][0]["identifiers"]
        != (first["_embedded"]["osdi:petitions"][0]["identifiers"])
    )


def test_petitions_are_public_and_cacheable_and_never_name_a_signer(client, two_organisations):
    _, _, petition = two_organisations
    response = client.get(f"/api/v1/osdi/petitions/{petition.slug}")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"]
    again = client.get(
        f"/api/v1/osdi/petitions/{petition.slug}", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    assert "amal" not in client.get("/api/v1/osdi/petitions").content.decode().lower()


def test_a_draft_is_not_served(client, two_organisations):
    make_petition("a-draft", state=State.DRAFT)
    assert client.get("/api/v1/osdi/petitions/a-draft").status_code == 404
    listed = client.get("/api/v1/osdi/petitions").json()["_embedded"]["osdi:petitions"]
    assert Petition.objects.get(slug="a-draft").pk not in [
        int(item["identifiers"][0].rsplit("-", 1)[1]) for item in listed
    ]


def test_another_organisations_petition_has_no_signatures_for_this_key(client, two_organisations):
    ours, theirs, _ = two_organisations
    response = get(
        client, "/api/v1/private/osdi/petitions/their-petition/signatures", key_for(ours)
    )
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}
    assert "secret@example.org" not in response.content.decode()
    theirs_too = get(
        client, "/api/v1/private/osdi/petitions/their-petition/signatures", key_for(theirs)
    )
    assert "secret@example.org" in theirs_too.content.decode()


def test_a_signer_counted_only_has_no_name_or_email(client, two_organisations):
    ours, _, petition = two_organisations
    sign(petition, "Quiet Person", "quiet@example.org", opt_in=True, visibility="count")
    url = f"/api/v1/private/osdi/petitions/{petition.slug}/signatures"
    response = get(client, url, key_for(ours))
    assert "quiet" not in response.content.decode().lower()
    person = response.json()["_embedded"]["osdi:signatures"][-1]["_embedded"]["osdi:person"]
    assert person == {"postal_addresses": [{"country": "LB"}], "languages_spoken": ["en"]}


def test_an_erased_signer_is_a_tombstone_without_a_person(client, two_organisations):
    ours, _, petition = two_organisations
    key = key_for(ours)
    amal = Signature.objects.get(name="Amal Haddad")
    since = timezone.now()
    erase_signer(amal.email_digest)
    url = f"/api/v1/private/osdi/petitions/{petition.slug}/signatures"
    response = get(client, url, key, updated_since=since.isoformat())
    (tombstone,) = response.json()["_embedded"]["osdi:signatures"]
    assert tombstone["identifiers"] == [f"undersigned:signature-{amal.pk}"]
    assert tombstone["status"] == "erased" and tombstone["erased_date"]
    assert "_embedded" not in tombstone and "referrer_data" not in tombstone
    assert "amal" not in get(client, url, key).content.decode().lower()


SIGNATURES_OF = "/api/v1/private/osdi/petitions/free-the-detained/signatures"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "1000"},  # huge page
        {"limit": "0"},
        {"limit": "ten"},  # wrong type
        {"updated_since": "yesterday"},
        {"page": "2"},  # unknown
        {"petition": "their-petition"},  # not a parameter here: the path says which
    ],
)
def test_bad_parameters_are_refused_and_say_why(client, two_organisations, params):
    ours, _, _ = two_organisations
    response = get(client, SIGNATURES_OF, key_for(ours), **params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid request"
    assert response.json()["fields"][0]["location"] == "query"


@pytest.mark.parametrize(
    ("cursor", "status", "error"),
    [
        ("garbage", 400, "invalid cursor"),
        ("eyJhIjoxfQ:1abc:forged", 400, "invalid cursor"),
        ("x" * 301, 422, "invalid request"),  # longer than any cursor we make
    ],
)
def test_a_malformed_cursor_is_refused(client, two_organisations, cursor, status, error):
    ours, _, _ = two_organisations
    response = get(client, SIGNATURES_OF, key_for(ours), cursor=cursor)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_a_cursor_of_another_list_or_key_is_refused(client, two_organisations):
    ours, _, _ = two_organisations
    key = key_for(ours)
    private_cursor = get(client, "/api/v1/private/signatures", key, limit=1).json()["next_cursor"]
    response = get(client, SIGNATURES_OF, key, cursor=private_cursor)
    assert response.status_code == 400 and response.json() == {"error": "invalid cursor"}
    next_href = get(client, SIGNATURES_OF, key, limit=1).json()["_links"]["next"]["href"]
    other_key = follow(client, next_href, key_for(ours))
    assert other_key.status_code == 400 and other_key.json() == {"error": "invalid cursor"}
    public_cursor = client.get("/api/v1/petitions", {"limit": 1}).json()["next_cursor"]
    assert get(client, SIGNATURES_OF, key, cursor=public_cursor).status_code == 400


def test_no_key_a_revoked_key_or_a_forged_one_reads_nothing(client, two_organisations):
    ours, _, _ = two_organisations
    assert client.get(SIGNATURES_OF).status_code == 401
    forged = client.get(SIGNATURES_OF, HTTP_OSDI_API_TOKEN="us_000000000000_forged")
    assert forged.status_code == 401
    assert forged.json() == {"error": "a valid API key is needed"}
    revoked, secret = create_key(ours, "old", ApiKey.Scope.READ, None)
    revoke_key(revoked, None)
    response = client.get(SIGNATURES_OF, HTTP_OSDI_API_TOKEN=secret)
    assert response.status_code == 401
    assert response.json() == {"error": "this API key is revoked or expired"}


def test_the_openapi_document_describes_the_osdi_answers(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    operation = paths["/api/v1/private/osdi/petitions/{slug}/signatures"]["get"]
    assert list(operation["responses"]["200"]["content"]) == [HAL]
    assert {"KeyAuth": []} in operation["security"] and {"OsdiToken": []} in operation["security"]
    assert list(paths["/api/v1/osdi/petitions"]["get"]["responses"]["200"]["content"]) == [HAL]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"limit": "100000"}, 422),
        ({"limit": "1.5"}, 422),
        ({"per_page": "25"}, 422),  # OSDI's own name: refused, not ignored
        ({"cursor": "not-ours"}, 400),
    ],
)
def test_bad_input_to_the_public_petitions_is_refused(client, two_organisations, params, status):
    response = client.get("/api/v1/osdi/petitions", params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] in ("invalid request", "invalid cursor")


def test_a_path_that_is_not_a_slug_is_refused(client):
    response = client.get("/api/v1/osdi/petitions/%3Cscript%3E")
    assert response.status_code == 422
    assert response.json()["fields"][0]["location"] == "path"
