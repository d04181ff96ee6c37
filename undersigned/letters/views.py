import logging
import math

from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from undersigned.protection import pow
from undersigned.protection.clients import ip_hash
from undersigned.protection.limits import burst_wait, over_limit
from undersigned.replicas import replica_view

from . import services
from .forms import EndorsementForm, ListFilterForm
from .models import Endorsement, Letter
from .pdf import letter_pdf

logger = logging.getLogger(__name__)


def get_public_letter(slug: str) -> Letter:
    queryset = Letter.objects.public().select_related("organiser", "translation_of")
    return get_object_or_404(queryset, slug=slug)


def version_redirect(request, letter: Letter):
    """Switching the page's language leads to the letter's version in that language."""
    if letter.language == request.LANGUAGE_CODE:
        return None
    version = letter.version_in(request.LANGUAGE_CODE)
    if version is None:
        return None
    query = request.GET.urlencode()
    return redirect(version.get_absolute_url() + (f"?{query}" if query else ""))


@require_GET
@replica_view
def letter_detail(request, slug):
    letter = get_public_letter(slug)
    if response := version_redirect(request, letter):
        return response
    signatories = list(Endorsement.objects.numbered(letter))
    countries = {s.country.code for s in signatories if s.country}
    filter_form = ListFilterForm(request.GET or None, country_codes=sorted(countries))
    shown = filter_form.filter(signatories)
    context = {
        "letter": letter,
        "signatories": shown,
        "filtered": len(shown) != len(signatories),
        "total": len(signatories),
        "country_total": len(countries),
        "filter_form": filter_form,
        "networks": list(letter.networks()),
        "press_contacts": letter.press_contacts.all(),
        "targets": letter.targets.all(),
        "other_versions": letter.other_versions(),
    }
    return render(request, "letters/letter.html", context)


@require_http_methods(["GET", "POST"])
def endorse(request, slug):
    if request.method == "POST":
        return endorse_post(request, slug)
    letter = get_public_letter(slug)
    if not letter.accepts_endorsements:
        return render(request, "letters/endorse.html", {"letter": letter})
    form = EndorsementForm(letter=letter, language=request.LANGUAGE_CODE)
    return render(request, "letters/endorse.html", {"letter": letter, "form": form})


def endorse_post(request, slug):
    try:
        if over_limit(request, "endorse", by_email=True, email_field="contact_email"):
            return endorse_refused(request, slug, status=429)
        letter = get_public_letter(slug)
        if not letter.accepts_endorsements:
            return render(request, "letters/endorse.html", {"letter": letter}, status=403)
        form = EndorsementForm(request.POST, letter=letter, language=request.LANGUAGE_CODE)
        if form.is_valid():
            if form.filled_by_a_bot:  # a bot is thanked like anyone, and nothing is kept
                return redirect("letters:thanks", slug=letter.slug)
            if (wait := burst_wait(request, "endorse")) and not pow.proof(request)():
                return endorse_refused(request, slug, status=429, wait=wait, challenge=True)
            try:
                services.endorse_letter(
                    letter, form.details(), request.LANGUAGE_CODE, ip_hash=ip_hash(request)
                )
            except services.DuplicateEndorsement:
                form.add_error("name", form.duplicate_message())
            else:
                return redirect("letters:thanks", slug=letter.slug)
        return render(request, "letters/endorse.html", {"letter": letter, "form": form})
    except services.LetterClosed:
        return render(request, "letters/endorse.html", {"letter": letter}, status=403)
    except DatabaseError:
        logger.exception("Could not store an endorsement of %s", slug)
        return endorse_refused(request, slug, status=503)


def endorse_refused(request, slug: str, status: int, wait=600, challenge=False):
    """429 (too many requests) or 503 (database trouble): say so, keep what was typed. Past
    the burst (`wait` seconds left) the page offers the puzzle that lets one more through."""
    context = {
        "form": EndorsementForm.keeping(request.POST),
        "slug": slug,
        "status": status,
        "minutes": math.ceil(wait / 60),
        "challenge": challenge,
    }
    response = render(request, "letters/endorse_refused.html", context, status=status)
    response["Retry-After"] = "30" if status == 503 else str(wait)
    return response


@require_GET
def thanks(request, slug):
    return render(request, "letters/thanks.html", {"letter": get_public_letter(slug)})


@require_GET
def confirmed(request, slug):
    return render(request, "letters/confirmed.html", {"letter": get_public_letter(slug)})


@require_GET
def pdf(request, slug):
    letter = get_public_letter(slug)
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}.pdf"'
    return response
