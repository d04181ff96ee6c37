"""A signer's rights: `/<lang>/my-data/<token>/` shows what we hold under their address,
`…/download/` gives it as JSON, `…/erase/` erases it (a POST behind a confirm button), and
`/<lang>/my-data/` emails a fresh link to whoever types an address (the same answer whether
or not we know it).

The token names an email digest and expires (see tokens.py). Every page here is private to
its reader: not stored by caches, not indexed, and rate-limited per client address.
"""

import json
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from undersigned.emails.my_data import read_token
from undersigned.letters import consent
from undersigned.protection.crypto import email_digest
from undersigned.protection.limits import over_limit
from undersigned.subscribers import services as subscriptions
from undersigned.subscribers.models import Subscription

from . import records, services, tasks
from .forms import LinkRequestForm, VisibilityChangeForm

SCOPE = "my_data"
logger = logging.getLogger(__name__)


def private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # no-store: a shared computer's cache keeps nothing
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def limited(request) -> HttpResponse:
    response = render(request, "supporters/limited.html", status=429)
    response["Retry-After"] = "600"
    return private(response)


def invalid_link(request) -> HttpResponse:
    return private(render(request, "supporters/invalid_link.html", status=400))


def guarded(view):
    """Rate limit, then read the token: a forged or expired one gets a clear 400 page."""

    def wrapper(request, token, **kwargs):
        if over_limit(request, SCOPE):
            return limited(request)
        digest = read_token(token)
        if digest is None:
            return invalid_link(request)
        return private(view(request, token, digest, **kwargs))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_http_methods(["GET", "HEAD"])
@guarded
def my_data(request, token, digest):
    return my_data_page(request, token, digest, records.held_under(digest))


def my_data_page(request, token, digest, held, bound=None, status=200):
    """The signer's page; `bound` is a visibility form sent back with its errors."""
    for item in held:
        signature = item.signature
        if bound is not None and bound.signature.pk == signature.pk:
            item.visibility_form = bound
        else:
            initial = {"visibility": signature.visibility}
            item.visibility_form = VisibilityChangeForm(signature=signature, initial=initial)
    endorsements = records.endorsements_under(digest)
    for endorsement in endorsements:
        # the emailed link expires; this page, asked for again at any time, does not
        endorsement.consent_link = consent.link_for(endorsement)
    subscribed = list(
        Subscription.objects.filter(email_digest=digest).select_related("organisation")
    )
    context = {
        "token": token,
        "held": held,
        "endorsements": endorsements,
        "subscriptions": subscribed,
        "email": records.address_of(held, endorsements)
        or (subscribed[0].email if subscribed else ""),
        "unsubscribed": request.GET.get("unsubscribed") == "1",
        "erased": request.GET.get("erased") == "1",
        "changed": request.GET.get("changed") == "1",
        "retention_days": settings.RETENTION_DAYS,
    }
    return render(request, "supporters/my_data.html", context, status=status)


@require_http_methods(["POST"])
@guarded
def change_visibility(request, token, digest, signature_id):
    """One signature's new level; an unknown level is answered next to the field."""
    held = records.held_under(digest)
    item = next((item for item in held if item.signature.pk == signature_id), None)
    if item is None:
        return invalid_link(request)
    form = VisibilityChangeForm(request.POST, signature=item.signature)
    if not form.is_valid():
        return my_data_page(request, token, digest, held, bound=form, status=400)
    services.change_visibility(
        digest, signature_id, form.cleaned_data["visibility"], form.cleaned_data["name"]
    )
    return HttpResponseRedirect(reverse("supporters:my_data", args=[token]) + "?changed=1")


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def download(request, token, digest):
    data = records.as_json(records.held_under(digest), records.endorsements_under(digest))
    data["subscriptions"] = records.subscriptions_as_json(digest)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_http_methods(["POST"])
@guarded
def stop_updates(request, token, digest):
    """Unsubscribe from one organisation's updates; only a subscription of this address."""
    pk = request.POST.get("subscription", "")
    mine = Subscription.objects.filter(email_digest=digest)
    if pk.isascii() and pk.isdigit() and mine.filter(pk=int(pk)).exists():
        subscriptions.unsubscribe(int(pk), Subscription.Via.MY_DATA)
    return HttpResponseRedirect(reverse("supporters:my_data", args=[token]) + "?unsubscribed=1")


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def erase(request, token, digest):
    if request.method == "POST":
        services.erase_signer(digest)
        return HttpResponseRedirect(reverse("supporters:my_data", args=[token]) + "?erased=1")
    held = records.held_under(digest)
    endorsements = records.endorsements_under(digest)
    context = {"token": token, "held": held, "endorsements": endorsements}
    return render(request, "supporters/erase.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def request_link(request):
    """ "Forgot your link?": the answer never says whether the address is known."""
    if request.method != "POST":
        return private(render(request, "supporters/request_link.html", {"form": LinkRequestForm()}))
    if over_limit(request, SCOPE, by_email=True):
        return limited(request)
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return private(render(request, "supporters/request_link.html", {"form": form}, status=400))
    # The same work whoever asks: the task looks the address up, not this request.
    try:
        tasks.send_my_data_link.enqueue(email_digest(form.cleaned_data["email"]), get_language())
    except DatabaseError:
        logger.exception("Could not queue a my-data link")
        context = {"form": form, "unavailable": True}
        response = render(request, "supporters/request_link.html", context, status=503)
        response["Retry-After"] = "30"
        return private(response)
    context = {"days": settings.MY_DATA_LINK_DAYS}
    return private(render(request, "supporters/link_sent.html", context))
