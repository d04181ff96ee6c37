"""Builders for news tests (plain functions, like tests/factories.py)."""

from datetime import timedelta

from django.utils import timezone

from undersigned.news.models import Kind, Post, PostText, PressContact, Tag

from .factories import make_organiser


def make_tag(slug="syria", name="Syria", arabic="سوريا", organisation=None) -> Tag:
    tag, _ = Tag.objects.get_or_create(
        organisation=organisation or make_organiser(),
        slug=slug,
        defaults={"name": name, "translated_names": {"ar": arabic}},
    )
    return tag


def make_post(
    slug="coalition-letter-news",
    *,
    kind=Kind.NEWS,
    title="Coalition writes to the UN",
    arabic_title="التحالف يكتب إلى الأمم المتحدة",
    published_days_ago=1,
    organisation=None,
    tags=(),
    body="The coalition **urges** member states to act.",
    **fields,
) -> Post:
    published_at = (
        None if published_days_ago is None else timezone.now() - timedelta(days=published_days_ago)
    )
    post = Post.objects.create(
        slug=slug,
        kind=kind,
        organisation=organisation or make_organiser(),
        published_at=published_at,
        **fields,
    )
    PostText.objects.create(
        post=post, language="en", title=title, summary="What the coalition asks.", body=body
    )
    if arabic_title:
        PostText.objects.create(
            post=post,
            language="ar",
            title=arabic_title,
            summary="ما يطالب به التحالف.",
            body="يحثّ التحالف الدول الأعضاء على التحرك.",
        )
    post.tags.set(tags)
    return post


def make_press_release(slug="press-release", **fields) -> Post:
    post = make_post(slug, kind=Kind.PRESS_RELEASE, title="Coalition urges action", **fields)
    post.texts.filter(language="en").update(
        dateline="Washington", notes_to_editors="The coalition has **223** members."
    )
    post.texts.filter(language="ar").update(
        dateline="واشنطن", notes_to_editors="يضم التحالف 223 عضواً."
    )
    PressContact.objects.create(
        post=post,
        name="Sam Example",
        role="Press officer",
        translated_roles={"ar": "مسؤول الإعلام"},
        organisation="Rights Watchers",
        translated_organisations={"ar": "مراقبو الحقوق"},
        email="press@example.org",
    )
    return post
