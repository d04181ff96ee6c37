from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from undersigned.delivery.models import TargetResponse
from undersigned.staff import access
from undersigned.subscribers.fragments import sign_up_form

from . import views_count
from .cards import action_cards
from .models import Kind, Post, Tag
from .pdf import post_pdf

PER_PAGE = 10


class ListFilter(forms.Form):
    """?kind=…&tag=…: a value that is not a kind or a tag gives an empty list, never an error."""

    kind = forms.ChoiceField(choices=[("", ""), *Kind.choices], required=False)
    tag = forms.SlugField(max_length=60, required=False)

    def apply(self, posts):
        if not self.is_valid():
            return posts.none()
        if kind := self.cleaned_data["kind"]:
            posts = posts.filter(kind=kind)
        if tag := self.cleaned_data["tag"]:
            posts = posts.filter(tags__slug=tag).distinct()
        return posts


@require_GET
def post_list(request):
    language = get_language()
    filters = ListFilter(request.GET)
    posts = filters.apply(Post.objects.published()).prefetch_related("texts", "tags", "cover")
    page = Paginator(posts.select_related("organisation"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "cards": [(post, post.text_in(language)) for post in page],
        "kinds": Kind.choices,
        "tags": public_tags(),
        "chosen_kind": filters.cleaned_data.get("kind", "") if filters.is_valid() else "",
        "chosen_tag": filters.cleaned_data.get("tag", "") if filters.is_valid() else "",
        "filtered": any(request.GET.get(name) for name in ("kind", "tag")),
        "query": query_without_page(request),
        "responses": latest_responses(language) if page.number == 1 else [],
    }
    return render(request, "news/list.html", context)


RESPONSES_SHOWN = 3


def latest_responses(language: str) -> list[dict]:
    """What targets answered lately, with the action it answers (a delivered action is public)."""
    responses = TargetResponse.objects.select_related(
        "delivery__petition", "delivery__letter"
    ).prefetch_related("texts", "delivery__petition__texts")[:RESPONSES_SHOWN]
    return [
        {
            "response": response,
            "text": response.summary_in(language),
            "title": response.delivery.action.title(language),
            "url": response.delivery.action.public_url(language) + "#response",
        }
        for response in responses
    ]


def public_tags():
    """One entry per slug among the tags of published posts, named in the page's language."""
    language = get_language()
    tags = Tag.objects.filter(posts__in=Post.objects.published()).distinct().order_by("slug")
    by_slug = {}
    for tag in tags:
        by_slug.setdefault(tag.slug, tag.name_in(language))
    return sorted(by_slug.items(), key=lambda item: item[1])


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def get_visible_post(request, slug) -> Post:
    """A published post; a draft or scheduled one only for its own organisation's staff."""
    post = (
        Post.objects.filter(slug=slug)
        .select_related("organisation", "cover")
        .prefetch_related("texts", "tags", "press_contacts", "petitions", "letters")
        .first()
    )
    if post is None:
        raise Http404
    if not post.is_published and not access.may(request.user, "news.view_post", post):
        raise Http404
    return post


@require_GET
def post_detail(request, slug):
    post = get_visible_post(request, slug)
    language = get_language()
    text = post.text_in(language)
    if text is None:
        raise Http404
    if post.is_published:
        views_count.seen(post)
    context = {
        "post": post,
        "text": text,
        "other_languages": [
            code for code in post.languages() if code not in (language, text.language)
        ],
        "action_cards": action_cards(post, language),
        "related": [(other, other.text_in(language)) for other in post.related()],
        "cover": getattr(post, "cover", None),
        "views": views_count.total(post) if show_views(request, post) else None,
        "sign_up": sign_up_form(request, post.organisation, source=f"post:{post.slug}"),
    }
    return render(request, "news/detail.html", context)


def show_views(request, post) -> bool:
    return post.show_views or access.may(request.user, "news.view_post", post)


@require_GET
def post_pdf_view(request, slug):
    post = get_visible_post(request, slug)
    language = get_language()
    if post.text_in(language) is None:
        raise Http404
    response = HttpResponse(post_pdf(post, language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{post.slug}-{language}.pdf"'
    return response
