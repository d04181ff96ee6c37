import functools

from django.urls import path

from .api import api
from .errors import error_response


def json_not_allowed(view):
    """Django answers a wrong method with an empty HTML 405: answer in the API's shape."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            return error_response(405, "method not allowed", headers={"Allow": response["Allow"]})
        return response

    return wrapped


ninja_urls = api.urls
for pattern in ninja_urls[0]:
    pattern.callback = json_not_allowed(pattern.callback)

urlpatterns = [path("", ninja_urls)]
