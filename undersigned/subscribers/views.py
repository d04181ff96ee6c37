"""Signing up for an organisation's updates, confirming (through /confirm/<token>/) and
unsubscribing.

`/<lang>/updates/`: POST asks for updates. Whatever the address's state, a valid request
leads to the same "check your email" page: nobody learns from it who is subscribed.
`/<lang>/updates/unsubscribe/<token>/`: GET shows one button (mail scanners open links);
POST unsubscribes. Mail programs that honour RFC 8058 POST `List-Unsubscribe=One-Click`
without a CSRF token, so that view runs Django's CSRF check itself for other POSTs.
"""

import logging

from django.db import DatabaseError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from undersigned.organisations.models import Organisation
from undersigned.protection.limits import over_limit

from . import services
from .forms import SignUpForm
from .models import Subscription
from .tokens import read_token

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.method == "GET":
        slug = request.GET.get("organisation", "")[:80]
        organisation = Organisation.objects.filter(slug=slug).first() if slug.isascii() else None
        return render(
            request, "subscribers/sign_up.html", {"form": SignUpForm(organisation=organisation)}
        )
    if over_limit(request, "subscribe", by_email=True):
        context = {"form": SignUpForm(request.POST), "refused": True}
        response = render(request, "subscribers/sign_up.html", context, status=429)
        response["Retry-After"] = "600"
        return response
    form = SignUpForm(request.POST)
    if not form.is_valid():
        return render(request, "subscribers/sign_up.html", {"form": form}, status=400)
    if not form.filled_by_a_bot:  # a bot is answered like anyone, and nothing is kept
        try:
            services.subscribe(form.sign_up())
        except DatabaseError:
            logger.exception("Could not store a subscription")
            response = render(
                request, "subscribers/sign_up.html", {"form": form, "failed": True}, status=503
            )
            response["Retry-After"] = "30"
            return response
    return redirect("subscribers:check_email")


@require_GET
def check_email(request):
    return render(request, "subscribers/check_email.html")


@require_GET
def confirmed(request):
    return render(request, "subscribers/confirmed.html")


def csrf_failure(request):
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    pk = read_token(token)
    subscription = (
        Subscription.objects.select_related("organisation").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if subscription is None:
        return render(request, "subscribers/unsubscribe.html", {"invalid": True}, status=404)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    context = {
        "organisation": subscription.organisation.name_in(request.LANGUAGE_CODE),
        "done": subscription.status == Subscription.Status.UNSUBSCRIBED,
    }
    if request.method == "POST":
        if not one_click and (refused := csrf_failure(request)) is not None:
            return refused
        via = Subscription.Via.ONE_CLICK if one_click else Subscription.Via.EMAIL_LINK
        services.unsubscribe(subscription.pk, via)
        context["done"] = True
    return render(request, "subscribers/unsubscribe.html", context)
