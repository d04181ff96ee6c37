from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check


@require_GET
@never_cache
def healthz(request):
    """For operators and load balancers: 503 when the database does not answer (this
    server cannot serve), 200 otherwise; the rest is for monitoring. Nothing personal."""
    health = check()
    return JsonResponse(health.as_json(), status=200 if health.database else 503)
