"""Security headers on every response: a strict Content-Security-Policy (no inline script,
nothing from other hosts) and a Permissions-Policy that switches off what we never use."""

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


def framed_policy(frame_ancestors: str) -> str:
    """The public policy for a page made to be framed by these sources (embed pages);
    every other page keeps `frame-ancestors 'none'`."""
    return PUBLIC_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {frame_ancestors}")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        staff = request.path.startswith(("/admin/", "/api/docs"))
        response.setdefault("Content-Security-Policy", STAFF_POLICY if staff else PUBLIC_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
