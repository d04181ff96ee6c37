import logging

from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as plain_server_error

from .actions import list_actions

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "pages/home.html", {"actions": list_actions(request.LANGUAGE_CODE)})


def about(request):
    return render(request, "pages/about.html")


def privacy(request):
    return render(request, "pages/privacy.html")


@requires_csrf_token
def server_error(request):
    """The 500 page in the site's style and language; Django's bare one if even that fails."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("The styled 500 page failed to render")
        return plain_server_error(request)
