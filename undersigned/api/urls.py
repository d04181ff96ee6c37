import functools
import re

from django.http import HttpResponse
from django.urls import path

from . import public
from .api import api
from .errors import ApiError, error_response

KEYED_PREFIX = "/api/v1/private/"
PREFLIGHT_MAX_AGE = 86400


def json_not_allowed(view):
    """Django answers a wrong method with an empty HTML 405: answer in the API's shape."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            return error_response(405, "method not allowed", headers={"Allow": response["Allow"]})
        return response

    return wrapped


def cors(view):
    """Public reads may be read by any page's JavaScript (answers and errors alike, and a
    preflight is granted). Nothing that takes a key is: a key belongs on a partner's server,
    and a browser must not carry it from a random site's page, so keyed paths answer no
    CORS header at all and their preflight is refused (405) like any other method."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.path.startswith(KEYED_PREFIX):
            return view(request, *args, **kwargs)
        if request.method == "OPTIONS":
            return preflight()
        response = view(request, *args, **kwargs)
        response.setdefault("Access-Control-Allow-Origin", "*")
        return response

    return wrapped


def preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response["Access-Control-Allow-Headers"] = "If-None-Match"
    response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    response["Allow"] = "GET, OPTIONS"
    return response


PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")  # what the operation's schema accepts


def plain_count_gets(operation_view):
    """Every open petition page, badge and partner polls the count during a surge: a plain
    GET (no query string, a slug the schema accepts) skips the framework's request parsing
    and answers through the operation's own function; anything else goes through the
    framework, so the documented operation and this path answer alike."""

    @functools.wraps(operation_view)
    def view(request, slug):
        plain = request.method == "GET" and not request.META.get("QUERY_STRING")
        if not (plain and PLAIN_SLUG.fullmatch(slug)):
            return operation_view(request, slug=slug)
        try:
            return public.count_answer(request, slug)
        except ApiError as refused:
            headers = refused.headers
            return error_response(refused.status, refused.error, refused.fields, headers)

    return view


ninja_urls = api.urls
for pattern in ninja_urls[0]:
    view = json_not_allowed(pattern.callback)
    if pattern.name == "petition_count":
        view = plain_count_gets(view)
    pattern.callback = cors(view)

urlpatterns = [path("", ninja_urls)]
