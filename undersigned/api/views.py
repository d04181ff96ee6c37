"""The public JSON API. Versioned in the URL; described by /api/openapi.json."""

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from undersigned.petitions.models import Petition
from undersigned.petitions.pagecache import remembered
from undersigned.protection.limits import over_limit

from .schema import OPENAPI

COUNT_MAX_AGE = 2
COUNT_STALE = 30


@require_GET
def petition_count(request, slug):
    """The confirmed-signature count: cheap (a cached sum of a few shard rows) and cacheable
    by any CDN for two seconds, so pages and partners can poll it during a surge."""
    if over_limit(request, "api"):
        return JsonResponse(
            {"error": "too many requests"}, status=429, headers={"Retry-After": "60"}
        )
    count = remembered(f"api-count:{slug}", lambda: count_for(slug))
    if count is None:
        return JsonResponse({"error": "not found"}, status=404)
    response = JsonResponse({"slug": slug, "count": count})
    response["Cache-Control"] = (
        f"public, max-age={COUNT_MAX_AGE}, stale-while-revalidate={COUNT_STALE}"
    )
    response["Access-Control-Allow-Origin"] = "*"  # partners' pages may poll it
    return response


def count_for(slug: str) -> int | None:
    petition_id = petition_id_for(slug)
    return None if petition_id is None else Petition(pk=petition_id).signature_count()


def petition_id_for(slug: str) -> int | None:
    key = f"petition-id:{slug}"
    petition_id = cache.get(key)
    if petition_id is None:
        petition_id = (
            Petition.objects.public().filter(slug=slug).values_list("pk", flat=True).first() or 0
        )
        cache.set(key, petition_id, 60)
    return petition_id or None


@require_GET
def openapi(request):
    return JsonResponse({**OPENAPI, "servers": [{"url": f"{settings.SITE_URL}/api"}]})
