import functools
import logging
import math

from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from undersigned.pages.actions import list_actions
from undersigned.protection import pow
from undersigned.protection.clients import ip_hash
from undersigned.protection.crypto import email_digest
from undersigned.protection.limits import burst_wait, over_limit
from undersigned.staff import access

from . import pagecache, sharing, tasks
from .consent import cohost_opt_in_text, opt_in_text
from .forms import ResendForm, SignatureForm, sanitise_source
from .models import MESSAGES_SHOWN, Petition, ShareClick, Signature, SupportMessage
from .services import PetitionClosed, sign_petition

logger = logging.getLogger(__name__)
RECENT_SIGNERS = 10


def get_public_petition(request, slug: str) -> Petition:
    """A petition visitors may see; its own organisation's staff also see it as a draft,
    as a preview (another organisation's staff get 404, like everyone)."""
    petition = get_object_or_404(
        Petition.objects.select_related("organiser").prefetch_related("texts", "targets"), slug=slug
    )
    not_public = petition.public_state == "draft" or petition.opens_at > timezone.now()
    if not_public and not access.may(request.user, "petitions.view_petition", petition):
        raise Http404
    return petition


@require_http_methods(["GET", "HEAD", "POST"])
def detail(request, slug):
    if request.method == "POST":
        return sign(request, slug)
    source = sanitise_source(request.GET.get("source"))
    cohost = None
    if source and (petition := pagecache.signing_petition(slug)) is not None:
        cohost = pagecache.cohost_for(petition, source)
    cached = None if cohost else pagecache.serve(request, slug, source)
    if cached is not None:
        return cached
    petition = get_public_petition(request, slug)
    # Closed and preview pages are read far less; a list of recent signers must drop an
    # erased or invalidated signer at once; a co-host's link adds its name and opt-in line.
    # Those pages are rendered each time.
    if not petition.is_open or petition.show_recent_signers or cohost:
        return render_petition(
            request, petition, signature_form(petition, initial={"source": source})
        )
    form = signature_form(petition, initial={"source": pagecache.SOURCE_HOLE})
    form.started_value = pagecache.STARTED_HOLE
    holes = {"csrf_token": pagecache.CSRF_HOLE, "progress_hole": pagecache.PROGRESS_HOLE}
    html = render_petition(request, petition, form, extra=holes).content.decode()
    return pagecache.fill(request, *pagecache.store(petition, html), source)


def sign(request, slug):
    form = None  # built once the petition is known; a plain one on the refusal paths
    unproven = False
    try:
        if over_limit(request, "sign", by_email=True):
            return sign_refused(request, None, slug, status=429)
        petition = pagecache.signing_petition(slug)
        if petition is None or not petition.is_open:
            petition = get_public_petition(request, slug)  # 404 unless public
            form = signature_form(petition, data=request.POST) if is_preview(petition) else None
            return render_petition(request, petition, form, status=403, refused=True)
        form = signature_form(petition, data=request.POST)
        if not form.is_valid():
            return render_petition(request, petition, form, status=400)
        if not form.filled_by_a_bot:  # a bot is thanked like anyone, and nothing is kept
            proven = pow.proof(request)
            if (wait := burst_wait(request, "sign")) and not proven():
                return sign_refused(request, form, slug, status=429, wait=wait, challenge=True)
            unproven = petition.require_challenge and not proven()
            sign_petition(
                petition,
                language=get_language(),
                ip_hash=ip_hash(request),
                needs_confirmation=unproven,  # no proof of work: the email must vouch
                source=form.source_code,
                cohost=form.chosen_cohost,
                **form.cleaned_data,
            )
    except PetitionClosed:
        return render_petition(request, petition, None, status=403, refused=True)
    except DatabaseError:
        logger.exception("Signing %s failed on a database error", slug)
        return sign_refused(request, form, slug, status=503)
    thanks = thanks_path(get_language(), slug)
    return HttpResponseRedirect(thanks + "?check=email" if unproven else thanks)


@functools.lru_cache(maxsize=1024)
def thanks_path(language: str, slug: str) -> str:
    """Every signer is sent here: reversed once per language and petition, not per signer."""
    with translation.override(language):
        return reverse("petitions:thanks", args=[slug])


def sign_refused(request, form, slug, status, wait=600, challenge=False):
    """503 (database trouble) or 429 (rate limit): say so, keep what was typed. Past the
    burst (`wait` seconds left) the page offers the puzzle that lets one more through."""
    form = form or SignatureForm(
        request.POST, opt_in_label="", takes_messages=bool(request.POST.get("message"))
    )
    context = {
        "form": form,
        "slug": slug,
        "status": status,
        "minutes": math.ceil(wait / 60),
        "challenge": challenge,
    }
    response = render(request, "petitions/sign_failed.html", context, status=status)
    response["Retry-After"] = "30" if status == 503 else str(wait)
    return response


def signature_form(petition: Petition, **kwargs) -> SignatureForm:
    # lazy: the labels are only worded when the form is shown, never when a signature is valid
    language = get_language()
    label = lazy_opt_in_text(petition.organiser, language)
    data = kwargs.get("data") or kwargs.get("initial") or {}
    cohost = pagecache.cohost_for(petition, sanitise_source(data.get("source")))
    return SignatureForm(
        opt_in_label=label,
        default_visibility=petition.default_visibility,
        takes_messages=petition.messages_enabled,
        cohost=cohost,
        cohost_label=lazy_cohost_text(cohost.organisation, language) if cohost else "",
        **kwargs,
    )


def _opt_in_label(organiser, language: str) -> str:
    return opt_in_text(organiser.name_in(language), language)


def _cohost_label(organisation, language: str) -> str:
    return cohost_opt_in_text(organisation.name_in(language), language)


lazy_opt_in_text = lazy(_opt_in_label, str)
lazy_cohost_text = lazy(_cohost_label, str)


def is_preview(petition: Petition) -> bool:
    """Not yet public: only its organisation's staff reach it (get_public_petition), and
    they see the page as it will be once open."""
    return petition.public_state == "draft" or petition.opens_at > timezone.now()


def render_petition(request, petition, form, status=200, refused=False, extra=None):
    language = get_language()
    count = petition.signature_count()
    preview = is_preview(petition)
    context = {
        "petition": petition,
        "preview": preview,
        "accepts_signatures": petition.is_open or preview,
        "shown_state": "open" if preview else petition.public_state,
        "text": petition.text_in(language),
        "form": form,
        "refused": refused,
        "count": count,
        "goal": petition.current_goal(count),
        "demands": [
            d for d in petition.demands.all() if d.language == text_language(petition, language)
        ],
        "key_facts": [
            f for f in petition.key_facts.all() if f.language == text_language(petition, language)
        ],
        "photos": list(petition.photos.all()),
        "targets": [target.name_in(language) for target in petition.targets.all()],
        "organiser": petition.organiser.name_in(language),
        "cohost": cohost_name(form, language),
        "other_actions": [] if petition.is_open else other_open_actions(petition, language),
        "recent_signers": recent_signers(petition),
        "support_messages": list(public_messages(petition)[: MESSAGES_SHOWN + 1]),
        "messages_shown": MESSAGES_SHOWN,
        "share_url": sharing.shared_url(petition.get_absolute_url(), "link"),
        **(extra or {}),
    }
    return render(request, "petitions/detail.html", context, status=status)


def cohost_name(form, language: str) -> str:
    """The co-host whose link the visitor used, named on the page beside the organiser."""
    cohost = getattr(form, "cohost", None)
    return cohost.organisation.name_in(language) if cohost else ""


def text_language(petition: Petition, language: str) -> str:
    text = petition.text_in(language)
    return text.language if text else language


def other_open_actions(petition: Petition, language: str) -> list:
    return [
        action
        for action in list_actions(language)
        if action.state == "open" and getattr(action, "petition", None) != petition
    ]


def recent_signers(petition: Petition) -> list[Signature]:
    if not petition.show_recent_signers:
        return []
    return list(
        petition.signatures.filter(status=Signature.Status.CONFIRMED)
        .held()
        .listed_publicly()
        .only("name", "country")
        .order_by("-confirmed_at")[:RECENT_SIGNERS]
    )


def public_messages(petition: Petition):
    """The approved messages a public page may show, latest first (with the name and
    country they are shown with: one query)."""
    if not petition.messages_enabled:
        return SupportMessage.objects.none()
    return (
        SupportMessage.objects.filter(petition=petition)
        .shown_publicly()
        .select_related("signature")
        .only("text", "language", "created_at", "signature__name", "signature__country")
        .order_by("-created_at", "-id")
    )


@require_GET
def messages(request, slug):
    """Every approved message, a page at a time (plain links: no JavaScript)."""
    petition = get_public_petition(request, slug)
    if not petition.messages_enabled:
        raise Http404
    page = Paginator(public_messages(petition), MESSAGES_SHOWN).get_page(request.GET.get("page"))
    context = {
        "petition": petition,
        "text": petition.text_in(get_language()),
        "page": page,
    }
    return render(request, "petitions/messages.html", context)


@require_GET
def thanks(request, slug):
    return thanks_page(request, get_public_petition(request, slug))


def thanks_page(request, petition, resend_form=None, resent=False, status=200, problem=""):
    language = get_language()
    text = petition.text_in(language)
    channels = [
        {"code": code, "name": name, "url": reverse("petitions:share", args=[petition.slug, code])}
        for code, name in sharing.CHANNELS.items()
    ]
    context = {
        "petition": petition,
        "text": text,
        "confirmed": request.GET.get("confirmed") == "1",
        "check_email": petition.double_opt_in or request.GET.get("check") == "email",
        "channels": channels,
        "share_url": sharing.shared_url(petition.get_absolute_url(), "link"),
        "count": petition.signature_count(),
        "resend_form": resend_form or ResendForm(),
        "resent": resent,
        "resend_problem": problem,
    }
    return render(request, "petitions/thanks.html", context, status=status)


@require_http_methods(["POST"])
def resend(request, slug):
    """ "Send the email again": the same answer whether or not the address signed, and
    whether or not it confirmed; the task decides what, if anything, to send."""
    petition = get_public_petition(request, slug)
    if over_limit(request, "resend", by_email=True):
        response = thanks_page(request, petition, status=429, problem="limited")
        response["Retry-After"] = "600"
        return response
    form = ResendForm(request.POST)
    if not form.is_valid():
        return thanks_page(request, petition, resend_form=form, status=400)
    digest = email_digest(form.cleaned_data["email"])
    try:
        tasks.resend_confirmation.enqueue(petition.pk, digest)
    except DatabaseError:
        logger.exception("Could not queue a confirmation email again for %s", slug)
        response = thanks_page(request, petition, resend_form=form, status=503, problem="down")
        response["Retry-After"] = "30"
        return response
    return thanks_page(request, petition, resent=True)


@require_GET
def share(request, slug, channel):
    if channel not in sharing.CHANNELS:
        raise Http404
    petition = get_public_petition(request, slug)
    text = petition.text_in(get_language())
    count_share_click(petition, channel)
    url = sharing.shared_url(petition.get_absolute_url(), channel)
    return ShareRedirect(sharing.channel_url(channel, url, text.title if text else ""))


class ShareRedirect(HttpResponseRedirect):
    allowed_schemes = ["https", "mailto"]


def count_share_click(petition: Petition, channel: str) -> None:
    today = timezone.localdate()
    updated = ShareClick.objects.filter(petition=petition, channel=channel, day=today).update(
        count=F("count") + 1
    )
    if not updated:
        ShareClick.objects.get_or_create(
            petition=petition, channel=channel, day=today, defaults={"count": 1}
        )
