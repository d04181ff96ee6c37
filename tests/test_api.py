"""The public read API: what a partner's site or a journalist's script gets, over HTTP."""

import pytest
from django.core.cache import cache

from undersigned.petitions.models import State

from .factories import make_organiser, make_petition, signer
from .letters_fixtures import add_signatory, make_letter

pytestmark = pytest.mark.django_db

COUNT = "/api/v1/petitions/free-the-detained/count"


def test_count_endpoint_is_exact_and_cacheable_by_any_cdn(client):
    make_petition(double_opt_in=False)
    for number in range(3):
        client.post("/en/petitions/free-the-detained/", signer(email=f"s{number}@example.org"))
    cache.clear()
    response = client.get(COUNT)
    assert response.status_code == 200
    assert response.json() == {"slug": "free-the-detained", "count": 3}
    assert response["Cache-Control"] == "public, max-age=2, stale-while-revalidate=30"
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_count_endpoint_costs_no_query_when_warm(client, django_assert_num_queries):
    make_petition()
    client.get(COUNT)
    with django_assert_num_queries(0):
        client.get(COUNT)


@pytest.mark.parametrize("slug", ["no-such-petition", "free-the-detained"])
def test_unknown_and_draft_petitions_are_404(client, slug):
    make_petition(state=State.DRAFT)
    for url in (f"/api/v1/petitions/{slug}/count", f"/api/v1/petitions/{slug}"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"error": "not found"}


def test_reads_refuse_writes_with_the_same_error_shape(client):
    make_petition()
    response = client.post(COUNT)
    assert response.status_code == 405
    assert "error" in response.json()


def test_the_api_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = {"api": {"ip": "2/m"}}
    make_petition()
    assert [client.get(COUNT).status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/api/v1/petitions")
    assert response.json() == {"error": "too many requests"}
    assert response["Retry-After"] == "60"


def test_a_public_petition_in_full(client):
    make_petition(double_opt_in=False)
    client.post("/en/petitions/free-the-detained/", signer())
    make_petition("secret-draft", state=State.DRAFT)
    cache.clear()
    response = client.get("/api/v1/petitions")
    assert response.status_code == 200
    (petition,) = response.json()["items"]
    assert petition["slug"] == "free-the-detained"
    assert petition["state"] == "open"
    assert petition["count"] == 1
    assert petition["goal"] == 100
    assert petition["organiser"]["names"] == {"ar": "مراقبو الحقوق"}
    assert petition["targets"][0]["slug"] == "un-sg"
    assert {text["language"] for text in petition["texts"]} == {"en", "ar"}
    assert petition["delivery"] is None
    assert petition["url"].endswith("/en/petitions/free-the-detained/")
    assert "amal@example.org" not in response.content.decode()
    assert "Amal" not in response.content.decode()
    assert client.get("/api/v1/petitions/free-the-detained").json() == petition


def test_lists_are_paged_by_an_opaque_cursor(client):
    for number in range(5):
        make_petition(f"petition-{number}")
    seen, url = [], "/api/v1/petitions?limit=2"
    while url:
        page = client.get(url).json()
        assert len(page["items"]) <= 2
        seen += [item["slug"] for item in page["items"]]
        url = page["next_cursor"] and f"/api/v1/petitions?limit=2&cursor={page['next_cursor']}"
    assert seen == [f"petition-{number}" for number in range(5)]


def test_etag_lets_a_client_or_cdn_revalidate(client):
    make_petition()
    first = client.get("/api/v1/petitions/free-the-detained")
    assert first["Cache-Control"] == "public, max-age=30, stale-while-revalidate=60"
    again = client.get("/api/v1/petitions/free-the-detained", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    stale = client.get("/api/v1/petitions/free-the-detained", HTTP_IF_NONE_MATCH='"other"')
    assert stale.status_code == 200


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("limit=0", 422, "limit"),
        ("limit=101", 422, "limit"),
        ("limit=ten", 422, "limit"),
        ("limit=99999999999999999999999", 422, "limit"),
        ("cursor=not-a-cursor", 400, None),
        ("cursor=" + "x" * 301, 422, "cursor"),
        ("update_since=2026-01-01", 422, "update_since"),
        ("cursor=%27%3B%20DROP%20TABLE%20petitions_petition%3B--", 400, None),
    ],
)
def test_bad_query_parameters_get_a_clear_json_error(client, query, status, field):
    make_petition()
    response = client.get(f"/api/v1/petitions?{query}")
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]
    if field:
        assert [entry["name"] for entry in body["fields"]] == [field]
        assert body["fields"][0]["location"] == "query"
    assert client.get("/api/v1/petitions").json()["items"][0]["slug"] == "free-the-detained"


def test_a_cursor_of_one_list_is_refused_by_another(client):
    make_letter("one")
    make_letter("two")
    cursor = client.get("/api/v1/letters?limit=1").json()["next_cursor"]
    assert cursor
    response = client.get(f"/api/v1/petitions?cursor={cursor}")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid cursor"}


def test_a_letter_with_its_translation_and_numbered_signatories(client):
    letter = make_letter()
    network = letter.network_set.get()
    for name in ["Zeta Aid", "Alpha Relief", "Mid Rights"]:
        add_signatory(letter, name, "SY", networks=[network] if name == "Alpha Relief" else ())
    response = client.get("/api/v1/letters/stop-the-attacks-ar")  # a translation's slug
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "stop-the-attacks"
    assert [text["language"] for text in body["texts"]] == ["ar", "en"]
    assert body["count"] == 3
    assert body["organiser"]["slug"] == make_organiser().slug
    page = client.get("/api/v1/letters/stop-the-attacks/signatories?limit=2").json()
    assert [(s["number"], s["name"]) for s in page["items"]] == [
        (1, "Alpha Relief"),
        (2, "Mid Rights"),
    ]
    assert page["items"][0]["networks"] == ["*"]
    assert page["networks"][0]["marker"] == "*"
    rest = client.get(
        f"/api/v1/letters/stop-the-attacks/signatories?limit=2&cursor={page['next_cursor']}"
    ).json()
    assert [(s["number"], s["name"]) for s in rest["items"]] == [(3, "Zeta Aid")]
    assert rest["next_cursor"] is None
    assert (
        "contact" not in client.get("/api/v1/letters/stop-the-attacks/signatories").content.decode()
    )


def test_draft_letters_are_not_served(client):
    make_letter("hidden", state="draft")
    assert client.get("/api/v1/letters").json()["items"] == []
    assert client.get("/api/v1/letters/hidden/signatories").status_code == 404


def test_openapi_31_document_describes_every_operation(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    operations = {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }
    assert {
        "listPetitions",
        "getPetition",
        "petitionCount",
        "listLetters",
        "getLetter",
        "listSignatories",
        "listOwnSignatures",
        "listOwnSubscribers",
        "listOwnEndorsements",
        "addSignature",
    } <= operations
    count = schema["paths"]["/api/v1/petitions/{slug}/count"]["get"]
    assert "422" in count["responses"] and "429" in count["responses"]


def test_readable_docs_are_served_from_our_own_host(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "unpkg" not in html


def test_the_counts_plain_path_answers_as_the_documented_operation(client, settings):
    """Plain GETs of the count skip the framework (urls.py); every other request goes
    through it: both answer in the same shape, readable from any origin."""
    make_petition()
    missing = client.get("/api/v1/petitions/no-such-petition/count")
    assert missing.json() == {"error": "not found"}
    assert missing["Access-Control-Allow-Origin"] == "*"
    assert missing["Cache-Control"] == "no-store"
    for odd in ("%C3%A9t%C3%A9", "x" * 121, "a%20b"):
        refused = client.get(f"/api/v1/petitions/{odd}/count")
        assert refused.status_code == 422, odd
        assert refused.json()["fields"][0]["location"] == "path"
    refused = client.get(COUNT + "?since=yesterday")
    assert refused.status_code == 422 and refused.json()["fields"][0]["name"] == "since"
    assert client.options(COUNT).status_code == 204
    settings.RATE_LIMITS = {"api": {"ip": "1/m"}}
    assert client.get(COUNT).status_code == 200
    limited = client.get(COUNT)
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert limited["Access-Control-Allow-Origin"] == "*"
