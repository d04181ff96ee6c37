from django.http import JsonResponse
from django.views.decorators.http import require_GET

from . import pow


@require_GET
def challenge(request):
    response = JsonResponse(pow.new_challenge())
    response["Cache-Control"] = "no-store"
    return response
