"""Security headers on every response: a strict Content-Security-Policy (no inline script,
nothing from other hosts but the site's own media store, when photos live in a bucket) and a
Permissions-Policy that switches off what we never use."""

from urllib.parse import urlsplit

from django.core.files.storage import storages

PUBLIC_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# The admin (Django's own templates), the staff outbox preview and the API's readable docs
# (Swagger UI, served from our own host) need inline styles.
STAFF_POLICY = PUBLIC_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


def media_origin() -> str:
    """The origin of public media URLs when they are not the site's own (an object store)."""
    url = urlsplit(storages["default"].url("probe.jpg"))
    return f"{url.scheme}://{url.netloc}" if url.netloc else ""


def with_media(policy: str, origin: str) -> str:
    return (
        policy.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")
        if origin
        else policy
    )


def framed_policy(frame_ancestors: str) -> str:
    """The public policy for a page made to be framed by these sources (embed pages);
    every other page keeps `frame-ancestors 'none'`."""
    return PUBLIC_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {frame_ancestors}")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.origins = {}  # per storage object: tests and reloads may configure another

    def __call__(self, request):
        response = self.get_response(request)
        staff = request.path.startswith(("/admin/", "/api/docs"))
        storage = storages["default"]
        if id(storage) not in self.origins:
            self.origins = {id(storage): media_origin()}
        policy = with_media(STAFF_POLICY if staff else PUBLIC_POLICY, self.origins[id(storage)])
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
