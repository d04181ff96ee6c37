"""Compressed HTML for visitors, never where a compression oracle could read a secret.

BREACH recovers a secret from a compressed response's length when the same response
reflects text the attacker chooses (a `?source=`, a search). So pages are compressed only
when they hold no secret of the reader's: the request carries no session cookie (staff
and anyone signed in are never compressed), the path is not the admin, and the response
is not marked private or no-store (the signer's own pages behind an emailed link). The
one secret left on a public page, the CSRF token, is masked with fresh random bytes in
every response by Django, so its compressed length says nothing; Django's GZipMiddleware
also pads each response with random bytes ("Heal the Breach").
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not settings.COMPRESS_PAGES or not compressible(request, response):
            return response
        return super().process_response(request, response)


def compressible(request, response) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith("/admin/")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )
