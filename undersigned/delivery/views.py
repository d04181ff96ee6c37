"""The public side of delivery: unsubscribing from update emails.

`/<lang>/unsubscribe/<token>/`: GET shows one button (mail scanners open links, people
click buttons); POST unsubscribes. Mail programs that honour RFC 8058 POST
`List-Unsubscribe=One-Click` to the same address without a CSRF token, so the view is
exempt from Django's CSRF check and runs that check itself for every other POST.
"""

from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from undersigned.petitions.models import Signature

from . import services
from .tokens import read_token


def is_one_click(request) -> bool:
    return request.POST.get("List-Unsubscribe") == "One-Click"


def csrf_failure(request):
    """The response Django's CSRF check would give this POST, or None when it passes."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    pk = read_token(token)
    signature = (
        Signature.objects.select_related("petition__organiser").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if signature is None:
        return render(request, "delivery/unsubscribe.html", {"invalid": True}, status=404)
    organiser = signature.petition.organiser.name_in(request.LANGUAGE_CODE)
    context = {"organiser": organiser, "done": False}
    if request.method == "POST":
        if not is_one_click(request) and (refused := csrf_failure(request)) is not None:
            return refused
        services.unsubscribe(signature.pk)
        context["done"] = True
    return render(request, "delivery/unsubscribe.html", context)
