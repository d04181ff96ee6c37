import logging

from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """A database outage answers 503 with the site's "try again" page, not a bare 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.exception("Database error on %s", request.path)
        return database_unavailable(request)


def database_unavailable(request):
    """The "try again in a moment" page, 503 (a bare one if even that fails to render)."""
    try:
        response = render(request, "503.html", status=503)
    except Exception:
        logger.exception("The styled 503 page failed to render")
        response = HttpResponse("<h1>Service unavailable</h1>", status=503)
    response["Retry-After"] = "30"
    return response
