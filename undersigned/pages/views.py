import logging
import sys

from django.core import signing
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_http_methods
from django.views.defaults import server_error as plain_server_error

from undersigned.protection.limits import over_limit
from undersigned.replicas import replica_view

from . import confirmations
from .actions import list_actions
from .middleware import database_unavailable

logger = logging.getLogger(__name__)


@replica_view
def home(request):
    return render(request, "pages/home.html", {"actions": list_actions(request.LANGUAGE_CODE)})


def about(request):
    return render(request, "pages/about.html")


def privacy(request):
    return render(request, "pages/privacy.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Landing page of an emailed confirmation link: GET shows a button, POST confirms."""
    if request.method == "POST" and over_limit(request, "confirm"):
        response = render(request, "pages/confirm_refused.html", status=429)
        response["Retry-After"] = "600"
        return response
    try:
        handler, pk = confirmations.read_token(token)
    except signing.BadSignature:
        return render(request, "pages/confirm.html", {"confirmation": None}, status=400)
    confirmation = handler.describe(pk)
    if confirmation is None:
        return render(request, "pages/confirm.html", {"confirmation": None}, status=404)
    if request.method == "POST":
        return redirect(handler.confirm(pk))
    return render(request, "pages/confirm.html", {"confirmation": confirmation})


def csrf_failure(request, reason=""):
    """A form refused for its missing or wrong CSRF token: a plain page in the page's
    language, in the site's style (Django's own is in English and technical)."""
    staff = request.path.startswith("/admin/")
    way_back = reverse("admin:index") if staff else reverse("home")
    return render(request, "403_csrf.html", {"way_back": way_back}, status=403)


@requires_csrf_token
def server_error(request):
    """The 500 page in the site's style and language; Django's bare one if even that fails.
    A database that went away outside a view (a middleware, the session's save) is a 503."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        return database_unavailable(request)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("The styled 500 page failed to render")
        return plain_server_error(request)
