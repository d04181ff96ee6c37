"""Compact petition pages for partners' iframes, and a count badge for any page.

They work without JavaScript and keep the strict CSP; only they may be framed, and only
by the sites the organiser lists (`Organisation.embed_origins`). The signing POST is
exempt from CSRF: a cross-site frame does not get our SameSite cookie, and an anonymous
signature carries no authority to forge (the bot traps, rate limits and the duplicate
rule still apply)."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import get_language, ngettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from undersigned.protection import pow
from undersigned.protection.clients import ip_hash
from undersigned.protection.headers import framed_policy
from undersigned.protection.limits import burst_wait, over_limit

from . import pagecache, sharing
from .forms import sanitise_source
from .models import Petition
from .services import PetitionClosed, sign_petition
from .views import cohost_name, get_public_petition, signature_form

logger = logging.getLogger(__name__)
BADGE_MAX_AGE = 2
BADGE_STALE = 30


def framed(response, petition: Petition):
    response["Content-Security-Policy"] = framed_policy(petition.organiser.frame_ancestors())
    return response


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def embed(request, slug):
    petition = get_public_petition(request, slug)
    if request.method != "POST":
        source = sanitise_source(request.GET.get("source"))
        form = signature_form(petition, initial={"source": source})
        return render_embed(request, petition, form)
    return embed_sign(request, petition)


def embed_sign(request, petition: Petition):
    if not petition.is_open:
        return render_embed(request, petition, None, status=403, refused=True)
    form = signature_form(petition, data=request.POST)
    if over_limit(request, "sign", by_email=True):
        return render_embed(request, petition, form, status=429, busy=True)
    if not form.is_valid():
        return render_embed(request, petition, form, status=400)
    if form.filled_by_a_bot:  # thanked like anyone, and nothing is kept
        return HttpResponseRedirect(embed_thanks_url(petition, checking=petition.double_opt_in))
    proven = pow.proof(request)
    if burst_wait(request, "sign") and not proven():
        return render_embed(request, petition, form, status=429, busy=True)
    unproven = petition.require_challenge and not proven()
    try:
        sign_petition(
            petition,
            language=get_language(),
            ip_hash=ip_hash(request),
            needs_confirmation=unproven,
            source=form.source_code,
            cohost=form.chosen_cohost,
            **form.cleaned_data,
        )
    except PetitionClosed:
        return render_embed(request, petition, None, status=403, refused=True)
    except DatabaseError:
        logger.exception("Signing %s in a frame failed on a database error", petition.slug)
        return render_embed(request, petition, form, status=503, failed=True)
    return HttpResponseRedirect(embed_thanks_url(petition, checking=unproven))


def embed_thanks_url(petition: Petition, checking: bool) -> str:
    url = reverse("petitions:embed-thanks", args=[petition.slug])
    return url + "?check=email" if checking else url


def render_embed(request, petition, form, status=200, **flags):
    language = get_language()
    count = petition.signature_count()
    context = {
        "petition": petition,
        "text": petition.text_in(language),
        "form": form,
        "form_action": reverse("petitions:embed", args=[petition.slug]),
        "count": count,
        "goal": petition.current_goal(count),
        "organiser": petition.organiser.name_in(language),
        "cohost": cohost_name(form, language),
        "full_page_url": petition.get_absolute_url(),
        **flags,
    }
    response = render(request, "petitions/embed.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return framed(response, petition)


@xframe_options_exempt
@require_GET
def embed_thanks(request, slug):
    petition = get_public_petition(request, slug)
    language = get_language()
    channels = [
        {"code": code, "name": name, "url": reverse("petitions:share", args=[slug, code])}
        for code, name in sharing.CHANNELS.items()
    ]
    context = {
        "petition": petition,
        "text": petition.text_in(language),
        "check_email": petition.double_opt_in or request.GET.get("check") == "email",
        "channels": channels,
        "share_url": sharing.shared_url(petition.get_absolute_url(), "link"),
        "count": petition.signature_count(),
        "full_page_url": petition.get_absolute_url(),
    }
    return framed(render(request, "petitions/embed_thanks.html", context), petition)


@require_GET
def badge(request, slug):
    """An SVG of the live count, in the page's language, for any site's <img>: cacheable
    by any CDN for two seconds, like the API's count."""
    petition = pagecache.signing_petition(slug)
    if petition is None or not petition.is_public or petition.opens_at > timezone.now():
        return HttpResponse(status=404)
    count = petition.signature_count()
    label = ngettext("%(count)s signature", "%(count)s signatures", count) % {"count": f"{count:,}"}
    response = HttpResponse(badge_svg(label), content_type="image/svg+xml")
    response["Cache-Control"] = (
        f"public, max-age={BADGE_MAX_AGE}, stale-while-revalidate={BADGE_STALE}"
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def iframe_code(petition: Petition, source: str = "partner") -> str:
    """The copy-and-paste code of a petition's embed, for the staff page."""
    with translation.override(petition.original_language):
        url = settings.SITE_URL + reverse("petitions:embed", args=[petition.slug])
    script = settings.SITE_URL + static("undersigned/embed.js")
    return (
        f'<iframe data-undersigned-embed src="{url}?source={sanitise_source(source)}" '
        f'title="{escape(petition.title_in(petition.original_language))}" '
        'style="width:100%;max-width:40rem;height:44rem;border:0" loading="lazy"></iframe>\n'
        f'<script src="{script}" async></script>'
    )


def badge_code(petition: Petition) -> str:
    with translation.override(petition.original_language):
        url = settings.SITE_URL + reverse("petitions:badge", args=[petition.slug])
    return f'<img src="{url}" alt="" height="28">'


def badge_svg(label: str) -> str:
    width = 16 + 8 * len(label)
    direction = "rtl" if translation.get_language_bidi() else "ltr"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="28" role="img" '
        f'aria-label="{escape(label)}"><rect width="{width}" height="28" rx="4" fill="#1d4ed8"/>'
        f'<text x="{width // 2}" y="19" fill="#fff" font-family="sans-serif" font-size="14" '
        f'text-anchor="middle" direction="{direction}">{escape(label)}</text></svg>'
    )
