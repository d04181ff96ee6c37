"""Any web page's JavaScript may read the public API (with a preflight when it sends more
than a simple request), but nothing that takes a key: a key must not be usable from a
random site's page."""

import pytest

from .test_api_private import get, key_for, make_two_organisations

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "https://random.example.net"}


def preflight(client, path, method="GET", headers="if-none-match"):
    return client.options(
        path,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
        **ORIGIN,
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/petitions",
        "/api/v1/petitions/free-the-detained",
        "/api/v1/petitions/free-the-detained/count",
        "/api/v1/letters",
        "/api/v1/osdi",
        "/api/v1/osdi/petitions",
        "/api/v1/osdi/petitions/free-the-detained",
        "/api/openapi.json",
    ],
)
def test_a_public_read_grants_its_preflight(client, path):
    response = preflight(client, path)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "If-None-Match"
    assert response["Access-Control-Max-Age"] == "86400"
    assert "authorization" not in response["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in response


def test_public_answers_and_errors_are_readable_from_any_origin(client):
    make_two_organisations()
    assert client.get("/api/v1/petitions", **ORIGIN)["Access-Control-Allow-Origin"] == "*"
    missing = client.get("/api/v1/petitions/no-such-petition", **ORIGIN)
    assert missing.status_code == 404
    assert missing["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/private/signatures", "GET"),
        ("/api/v1/private/subscribers", "GET"),
        ("/api/v1/private/endorsements", "GET"),
        ("/api/v1/private/petitions/free-the-detained/signatures", "POST"),
        ("/api/v1/private/osdi/petitions/free-the-detained/signatures", "GET"),
    ],
)
def test_a_keyed_path_grants_no_origin_anything(client, path, method):
    make_two_organisations()
    response = preflight(client, path, method, headers="authorization")
    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed"}
    assert not [name for name in response.headers if name.lower().startswith("access-control")]


def test_a_keyed_answer_carries_no_cors_header(client):
    ours, _, _ = make_two_organisations()
    response = get(client, "/api/v1/private/signatures", key_for(ours))
    assert response.status_code == 200
    assert not [name for name in response.headers if name.lower().startswith("access-control")]
