import pytest
from django.core.cache import cache

from undersigned.petitions.models import State

from .factories import make_petition, signer

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


def test_count_endpoint_costs_no_query_when_warm(client, django_assert_num_queries):
    make_petition()
    client.get(COUNT)
    with django_assert_num_queries(0):
        client.get(COUNT)


@pytest.mark.parametrize("slug", ["no-such-petition", "free-the-detained"])
def test_unknown_and_draft_petitions_are_404(client, slug):
    make_petition(state=State.DRAFT)
    response = client.get(f"/api/v1/petitions/{slug}/count")
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


def test_count_endpoint_refuses_writes(client):
    make_petition()
    assert client.post(COUNT).status_code == 405


def test_openapi_document_describes_the_count(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"]["/v1/petitions/{slug}/count"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["required"] == [
        "slug",
        "count",
    ]


def test_the_api_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = {"api": {"ip": "2/m"}}
    make_petition()
    assert [client.get(COUNT).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(COUNT).json() == {"error": "too many requests"}
