"""A compact letter page for partners' iframes: title, count and the endorsement form,
then the thank-you inside the frame. Works without JavaScript; framed only by the sites
the organiser lists. CSRF-exempt for the reason given in petitions/embed.py."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from undersigned.actions.cohosts import sanitise_source
from undersigned.protection import pow
from undersigned.protection.clients import ip_hash
from undersigned.protection.headers import framed_policy
from undersigned.protection.limits import burst_wait, over_limit

from . import services
from .cohosts import cohost_for
from .views import (
    cohost_context,
    endorsement_form,
    get_public_letter,
    source_of,
    version_redirect,
)

logger = logging.getLogger(__name__)


def framed(response, letter):
    response["Content-Security-Policy"] = framed_policy(letter.organiser.frame_ancestors())
    return response


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def embed(request, slug):
    letter = get_public_letter(slug)
    if request.method != "POST":
        if response := version_redirect(request, letter, "letters:embed"):
            return framed(response, letter)
        form = endorsement_form(request, letter) if letter.accepts_endorsements else None
        return render_embed(request, letter, form)
    return embed_endorse(request, letter)


def embed_endorse(request, letter):
    if not letter.accepts_endorsements:
        return render_embed(request, letter, None, status=403)
    form = endorsement_form(request, letter, request.POST)
    if over_limit(request, "endorse", by_email=True, email_field="contact_email"):
        return render_embed(request, letter, form, status=429, busy=True)
    if not form.is_valid():
        return render_embed(request, letter, form, status=400)
    thanks = reverse("letters:embed-thanks", args=[letter.slug])
    if form.filled_by_a_bot:
        return HttpResponseRedirect(thanks)
    if burst_wait(request, "endorse") and not pow.proof(request)():
        return render_embed(request, letter, form, status=429, busy=True)
    try:
        services.endorse_letter(
            letter, form.details(), request.LANGUAGE_CODE, ip_hash=ip_hash(request)
        )
    except services.DuplicateEndorsement:
        form.add_error("name", form.duplicate_message())
        return render_embed(request, letter, form, status=400)
    except services.LetterClosed:
        return render_embed(request, letter, None, status=403)
    except DatabaseError:
        logger.exception("Could not store an endorsement of %s in a frame", letter.slug)
        return render_embed(request, letter, form, status=503, failed=True)
    return HttpResponseRedirect(thanks)


def render_embed(request, letter, form, status=200, **flags):
    cohost = form.cohost if form is not None else cohost_for(letter, source_of(request))
    context = {
        "letter": letter,
        "form": form,
        "form_action": reverse("letters:embed", args=[letter.slug]),
        "count": letter.signatories().count(),
        "organiser": letter.organiser.name_in(request.LANGUAGE_CODE),
        # a co-host's frame leads to the letter through its own link
        "full_page_url": letter.get_absolute_url() + (f"?source={cohost.code}" if cohost else ""),
        **cohost_context(request, cohost),
        **flags,
    }
    response = render(request, "letters/embed.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return framed(response, letter)


def iframe_code(letter, source: str = "partner") -> str:
    """The copy-and-paste code of a letter's embed, for the staff page (`source`: the
    partner's code, a co-host's own)."""
    url = settings.SITE_URL + reverse_in(letter.language, "letters:embed", letter.slug)
    script = settings.SITE_URL + static("undersigned/embed.js")
    source = sanitise_source(source)
    return (
        f'<iframe data-undersigned-embed src="{url}?source={source}" '
        f'title="{escape(letter.title)}" '
        'style="width:100%;max-width:40rem;height:50rem;border:0" loading="lazy"></iframe>\n'
        f'<script src="{script}" async></script>'
    )


def reverse_in(language: str, name: str, slug: str) -> str:
    with translation.override(language):
        return reverse(name, args=[slug])


@xframe_options_exempt
@require_GET
def embed_thanks(request, slug):
    letter = get_public_letter(slug)
    context = {"letter": letter, "full_page_url": letter.get_absolute_url()}
    return framed(render(request, "letters/embed_thanks.html", context), letter)
