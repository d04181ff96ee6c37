import logging
import math

from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from undersigned.actions.cohosts import sanitise_source
from undersigned.protection import pow
from undersigned.protection.clients import ip_hash
from undersigned.protection.limits import burst_wait, over_limit
from undersigned.replicas import replica_view
from undersigned.staff import access

from . import consent as consent_tokens
from . import services
from .cohosts import cohost_for
from .forms import EndorsementForm, ListFilterForm
from .models import Endorsement, Letter, meaningful_country_total
from .pdf import letter_pdf

logger = logging.getLogger(__name__)


def get_public_letter(slug: str) -> Letter:
    queryset = Letter.objects.public().select_related("organiser", "translation_of")
    return get_object_or_404(queryset, slug=slug)


def version_redirect(request, letter: Letter, view: str = "letters:detail"):
    """Switching the page's language leads to the same page of the letter's version in
    that language (its query, a co-host's `?source=`, kept)."""
    if letter.language == request.LANGUAGE_CODE:
        return None
    version = letter.version_in(request.LANGUAGE_CODE)
    if version is None:
        return None
    query = request.GET.urlencode()
    return redirect(reverse(view, args=[version.slug]) + (f"?{query}" if query else ""))


def get_letter_for_reader(request, slug: str) -> Letter:
    """A public letter; a draft too for its own organisation's staff, as a preview."""
    queryset = Letter.objects.select_related("organiser", "translation_of")
    letter = get_object_or_404(queryset, slug=slug)
    if letter.state == Letter.State.DRAFT and not access.may(
        request.user, "letters.view_letter", letter
    ):
        raise Http404
    return letter


@require_GET
@replica_view
def letter_detail(request, slug):
    letter = get_letter_for_reader(request, slug)
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
        "country_total": meaningful_country_total(signatories),
        "filter_form": filter_form,
        "networks": list(letter.networks()),
        "press_contacts": letter.press_contacts.all(),
        "targets": letter.targets.all(),
        "target_names": [target.name_in(letter.language) for target in letter.targets.all()],
        "preview": letter.state == Letter.State.DRAFT,
        "other_versions": letter.other_versions(),
        **cohost_context(request, cohost_for(letter, request.GET.get("source"))),
    }
    return render(request, "letters/letter.html", context)


def cohost_context(request, cohost) -> dict:
    """A co-host's link names it beside the organiser and carries its code on to the form."""
    if cohost is None:
        return {}
    return {"cohost": cohost.organisation.name_in(request.LANGUAGE_CODE), "source": cohost.code}


def source_of(request) -> str:
    """The `?source=` code the link (or the posted form) carries, sanitised."""
    return sanitise_source(
        (request.POST if request.method == "POST" else request.GET).get("source")
    )


def endorsement_form(request, letter: Letter, data=None) -> EndorsementForm:
    """The form, with the co-host whose code the link (or the posted form) carries."""
    source = sanitise_source((data if data is not None else request.GET).get("source"))
    return EndorsementForm(
        data,
        letter=letter,
        language=request.LANGUAGE_CODE,
        cohost=cohost_for(letter, source),
        initial={"source": source},
    )


def endorse_context(request, letter: Letter, form=None) -> dict:
    """Without a form (the letter is closed), the co-host whose link was followed is still
    named."""
    cohost = form.cohost if form is not None else cohost_for(letter, source_of(request))
    return {
        "letter": letter,
        "form": form,
        "organiser": letter.organiser.name_in(request.LANGUAGE_CODE),
        **cohost_context(request, cohost),
    }


@require_http_methods(["GET", "POST"])
def endorse(request, slug):
    if request.method == "POST":
        return endorse_post(request, slug)
    letter = get_public_letter(slug)
    if response := version_redirect(request, letter, "letters:endorse"):
        return response
    if not letter.accepts_endorsements:
        return render(request, "letters/endorse.html", endorse_context(request, letter))
    form = endorsement_form(request, letter)
    return render(request, "letters/endorse.html", endorse_context(request, letter, form))


def endorse_post(request, slug):
    try:
        if over_limit(request, "endorse", by_email=True, email_field="contact_email"):
            return endorse_refused(request, slug, status=429)
        letter = get_public_letter(slug)
        if not letter.accepts_endorsements:
            return render(
                request, "letters/endorse.html", endorse_context(request, letter), status=403
            )
        form = endorsement_form(request, letter, request.POST)
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
        return render(request, "letters/endorse.html", endorse_context(request, letter, form))
    except services.LetterClosed:
        return render(request, "letters/endorse.html", endorse_context(request, letter), status=403)
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


CONSENT_ANSWERS = {"confirm", "withdraw"}


@require_http_methods(["GET", "HEAD", "POST"])
def consent(request, token):
    """The "confirm or withdraw" page of a listed organisation's emails. A forged, expired
    or already used link answers a plain page and changes nothing; each answer is a POST."""
    if request.method == "POST" and over_limit(request, "confirm"):
        response = render(request, "pages/confirm_refused.html", status=429)
        response["Retry-After"] = "600"
        return response
    pk = consent_tokens.read_token(token)
    endorsement = Endorsement.objects.select_related("letter").filter(pk=pk).first() if pk else None
    if endorsement is None or endorsement.status in (
        Endorsement.Status.REJECTED,
        Endorsement.Status.MERGED,
    ):
        return consent_page(request, None, status=400 if pk is None else 404)
    if endorsement.status == Endorsement.Status.WITHDRAWN:
        return consent_page(request, endorsement, used=True)
    if request.method != "POST":
        return consent_page(request, endorsement, answered=request.GET.get("answered", ""))
    answer = request.POST.get("answer", "")
    if answer not in CONSENT_ANSWERS:
        return consent_page(request, endorsement, status=400, bad_answer=True)
    if answer == "withdraw":
        services.withdraw(endorsement.pk)
        return consent_page(request, endorsement, withdrawn=True)
    services.confirm_consent(endorsement.pk)
    return redirect(request.path + "?answered=confirm")


def consent_page(request, endorsement, status=200, **flags):
    letter = None
    if endorsement is not None:
        letter = endorsement.letter.version_in(request.LANGUAGE_CODE) or endorsement.letter
        endorsement.refresh_from_db()
    context = {"endorsement": endorsement, "letter": letter, **flags}
    response = render(request, "letters/consent.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
