"""Answers a CDN may keep: a strong ETag of the body, Cache-Control, and CORS for reads."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseNotModified

PUBLIC_MAX_AGE = 30
PUBLIC_STALE = 60


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def public_json(
    request,
    data,
    max_age: int = PUBLIC_MAX_AGE,
    stale: int = PUBLIC_STALE,
    content_type: str = "application/json",
):
    """A public read: 304 when the client already holds this body, else the body; both
    cacheable by anyone for `max_age` seconds and readable from any origin."""
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = etag_of(body)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={stale}"
    allow_any_origin(response)
    return response


def parse_etags(header: str) -> set[str]:
    tags = {part.strip().removeprefix("W/") for part in header[:2000].split(",")}
    return tags - {""}


def allow_any_origin(response) -> None:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    response["Vary"] = "Accept-Encoding"


def private_json(data, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    response = HttpResponse(body, content_type=content_type, status=status)
    response["Cache-Control"] = "private, no-store"
    return response
