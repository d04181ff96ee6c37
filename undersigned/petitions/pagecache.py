"""The petition page, rendered once per language and kept in the shared cache.

During a surge most visitors only read the page. The cached copy leaves holes for what
differs per request (the CSRF token, the form's start time, the `?source=` code) and for
the count, which is filled from its own two-second cache. Any change staff save to a
petition drops its copies (signals below); copies also expire after PAGE_SECONDS.
"""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from undersigned.protection import compression

from .forms import start_token
from .goals import next_goal
from .models import CoHost, Demand, KeyFact, Petition, PetitionText, Photo

PAGE_SECONDS = 30  # a copy is fresh this long; then one request renders it anew...
STALE_SECONDS = 300  # ...while the others go on serving the older copy, up to this long
SIGNING_SECONDS = 30
CSRF_HOLE = "__csrf_token_hole__"
STARTED_HOLE = "__started_hole__"
SOURCE_HOLE = "__source_hole__"
PROGRESS_HOLE = "<!--progress-hole-->"


_memo: dict[str, tuple[float, object]] = {}


def remembered(key: str, load):
    """A value from this process's memory for up to a second, else from `load()` (the
    shared cache). During a surge this saves a network round trip on nearly every request;
    a change made elsewhere shows here within PAGE_MEMO_SECONDS."""
    seconds = settings.PAGE_MEMO_SECONDS
    if not seconds:
        return load()
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if value is not None:
        _memo[key] = (now + seconds, value)
    return value


def clear_memo() -> None:
    _memo.clear()


def page_key(slug: str, language: str) -> str:
    return f"petition-page:{slug}:{language}"


def signing_key(slug: str) -> str:
    return f"petition-signing:{slug}"


HOLE_NAMES = frozenset([PROGRESS_HOLE, CSRF_HOLE, STARTED_HOLE, SOURCE_HOLE])
HOLES = re.compile(
    "(" + "|".join(map(re.escape, [PROGRESS_HOLE, CSRF_HOLE, STARTED_HOLE, SOURCE_HOLE])) + ")"
)


def serve(request, slug: str, source: str) -> HttpResponse | None:
    """The page from the cache with its holes filled; None when this request should render it
    (no copy, the petition has just closed, or the copy is stale and no one is renewing it)."""
    key = page_key(slug, get_language())
    entry = remembered(key, lambda: cache.get(key))
    if entry is None or (entry["closes_at"] and timezone.now() >= entry["closes_at"]):
        return None
    if time.time() > entry["fresh_until"] and cache.add(f"{key}:renewing", 1, 10):
        return None  # this request renews the copy; the others keep serving the stale one
    return fill(request, key, entry, source)


def fill(request, key: str, entry: dict, source: str) -> HttpResponse:
    """The page of the entry cached under `key`, with this request's holes filled."""
    progress = remembered(
        f"{key}:progress", lambda: progress_html(Petition(pk=entry["petition_id"]), entry["goal"])
    )
    holes = {
        PROGRESS_HOLE: progress,
        CSRF_HOLE: get_token(request),
        STARTED_HOLE: start_token(),
        SOURCE_HOLE: source,
    }
    response = HttpResponse()
    packed = entry.get("deflated") and compression.accepts_gzip(request)
    if packed and compression.compressible(request, response):
        return gzipped(response, entry, holes)
    response.content = "".join(holes.get(part, part) for part in entry["parts"])
    return response


def gzipped(response: HttpResponse, entry: dict, holes: dict) -> HttpResponse:
    """The page compressed without compressing anything of this request's: the fixed parts
    were deflated once when the page was stored, the holes' values go in stored blocks.
    A page view costs no compression at all, and no secret shares a compressed block
    with text a visitor chose (BREACH)."""
    pieces = []
    for part, blocks in zip(entry["parts"], entry["deflated"], strict=True):
        if blocks is None:
            value = holes[part].encode()
            pieces.append((value, compression.stored(value)))
        else:
            pieces.append((part.encode(), blocks))
    response.content = compression.gzip_joined(pieces)
    response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def store(petition: Petition, html: str) -> tuple[str, dict]:
    """Keep the rendered page in the shared cache; return its key and entry, to serve it
    at once (even when the cache is away)."""
    parts = HOLES.split(html)
    entry = {
        "parts": parts,  # text and holes in turn: filled in one pass
        "deflated": [None if part in HOLE_NAMES else compression.deflated(part) for part in parts],
        "fresh_until": time.time() + PAGE_SECONDS,
        "petition_id": petition.pk,
        "goal": petition.goal,
        "closes_at": petition.closes_at,
    }
    key = page_key(petition.slug, get_language())
    cache.set(key, entry, STALE_SECONDS)
    _memo.pop(key, None)
    remembered(key, lambda: entry)
    cache.delete(f"{key}:renewing")
    return key, entry


def progress_html(petition: Petition, first_goal: int) -> str:
    """The count and goal bar, rendered once per count and language."""
    count = petition.signature_count()
    key = f"petition-progress:{get_language()}:{first_goal}:{count}"
    html = cache.get(key)
    if html is None:
        context = {"count": count, "goal": next_goal(first_goal, count)}
        html = render_to_string("petitions/_progress.html", context)
        cache.set(key, html, 60)
    return html


def signing_petition(slug: str) -> Petition | None:
    """The petition a signature is for, with its organiser: cached, as every signer needs it."""
    petition = remembered(signing_key(slug), lambda: cache.get(signing_key(slug)))
    if petition is None:
        petition = Petition.objects.select_related("organiser").filter(slug=slug).first()
        if petition is None:
            return None
        cache.set(signing_key(slug), petition, SIGNING_SECONDS)
    return petition


def cohosts_key(slug: str) -> str:
    return f"petition-cohosts:{slug}"


def cohost_for(petition: Petition, source: str) -> CoHost | None:
    """The co-host whose link carries this `?source=` code, or None (most sources are not a
    co-host's); the petition's co-hosts are cached like the signing petition."""
    if not source:
        return None
    key = cohosts_key(petition.slug)
    cohosts = remembered(key, lambda: cache.get(key))
    if cohosts is None:
        cohosts = {
            cohost.code: cohost
            for cohost in CoHost.objects.filter(petition=petition).select_related("organisation")
        }
        cache.set(key, cohosts, SIGNING_SECONDS)
    return cohosts.get(source)


def forget(slug: str) -> None:
    keys = [page_key(slug, code) for code, _ in settings.LANGUAGES] + [signing_key(slug)]
    keys.append(cohosts_key(slug))
    cache.delete_many(keys)
    for key in keys:
        _memo.pop(key, None)
        _memo.pop(f"{key}:progress", None)
    cache.delete(f"petition-id:{slug}")


@receiver([post_save, post_delete], sender=Petition)
def _petition_changed(sender, instance, **kwargs):
    forget(instance.slug)


@receiver([post_save, post_delete], sender=PetitionText)
@receiver([post_save, post_delete], sender=Demand)
@receiver([post_save, post_delete], sender=KeyFact)
@receiver([post_save, post_delete], sender=Photo)
@receiver([post_save, post_delete], sender=CoHost)
def _part_changed(sender, instance, **kwargs):
    slug = Petition.objects.filter(pk=instance.petition_id).values_list("slug", flat=True).first()
    if slug:
        forget(slug)


@receiver(m2m_changed, sender=Petition.targets.through)
def _targets_changed(sender, instance, **kwargs):
    if isinstance(instance, Petition):
        forget(instance.slug)
