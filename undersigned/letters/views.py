import logging

from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

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
    letter = get_public_letter(slug)
    if not letter.accepts_endorsements:
        status = 403 if request.method == "POST" else 200
        return render(request, "letters/endorse.html", {"letter": letter}, status=status)
    form = EndorsementForm(request.POST or None, letter=letter, language=request.LANGUAGE_CODE)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.endorse_letter(letter, form.details(), request.LANGUAGE_CODE)
        except services.DuplicateEndorsement:
            form.add_error("name", form.duplicate_message())
        except DatabaseError:
            logger.exception("Could not store an endorsement")
            form.add_error(None, _("Something went wrong, please try again later."))
            status = 503
        else:
            return redirect("letters:thanks", slug=letter.slug)
    return render(request, "letters/endorse.html", {"letter": letter, "form": form}, status=status)


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
