"""Staff write, schedule and publish posts in the back office."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.audit.models import AuditEntry
from undersigned.news.models import Cover, Post, PressContact, Tag

from .factories import make_petition
from .news_fixtures import make_tag
from .personas import member
from .test_photos import upload

pytestmark = pytest.mark.django_db


def post_form(**overrides) -> dict:
    data = {
        "organisation": "",
        "kind": "press-release",
        "slug": "new-release",
        "author_name": "",
        "published_at_0": "",
        "published_at_1": "",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "0",
        "texts-0-language": "en",
        "texts-0-title": "Coalition urges action",
        "texts-0-body": "The coalition **urges** action.",
        "texts-0-dateline": "Beirut",
        "texts-1-language": "ar",
        "texts-1-title": "التحالف يحث على التحرك",
        "texts-1-body": "يحث التحالف على التحرك.",
        "texts-1-dateline": "بيروت",
        "cover-TOTAL_FORMS": "0",
        "cover-INITIAL_FORMS": "0",
        "press_contacts-TOTAL_FORMS": "1",
        "press_contacts-INITIAL_FORMS": "0",
        "press_contacts-0-name": "Sam Example",
        "press_contacts-0-role": "Press officer",
        "press_contacts-0-translated_roles__ar": "مسؤول الإعلام",
        "press_contacts-0-translated_organisations__ar": "",
        "press_contacts-0-email": "press@example.org",
    }
    data.update(overrides)
    return data


def test_a_campaigner_drafts_schedules_and_publishes_a_post(client):
    campaigner = member("campaigner", "campaigner")
    petition = make_petition()
    tag = make_tag()
    client.force_login(campaigner)
    organisation = campaigner.memberships.get().organisation
    data = post_form(organisation=organisation.pk, tags=[tag.pk], petitions=[petition.pk])
    response = client.post("/admin/news/post/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get(slug="new-release")
    assert post.published_at is None and post.texts.count() == 2
    assert AuditEntry.objects.filter(action="post.created", object_id=str(post.pk)).exists()
    client.logout()
    assert client.get("/en/news/new-release/").status_code == 404

    client.force_login(campaigner)
    later = timezone.localtime() + timedelta(days=1)
    data.update(
        {
            "published_at_0": later.strftime("%Y-%m-%d"),
            "published_at_1": later.strftime("%H:%M:%S"),
            "texts-INITIAL_FORMS": "0",
        }
    )
    post.delete()
    assert client.post("/admin/news/post/add/", data).status_code == 302
    post = Post.objects.get(slug="new-release")
    assert post.is_scheduled
    assert "Scheduled" in client.get("/admin/news/post/").content.decode()
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    html = client.get("/en/news/new-release/").content.decode()
    assert "Coalition urges action" in html and "<strong>Beirut</strong>" in html
    assert "Free the detained" in html
    assert "Latest news" in client.get("/en/petitions/free-the-detained/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "not a slug!", "Enter a valid “slug”"),
        ("slug", "", "This field is required."),
        ("texts-0-title", "x" * 301, "Ensure this value has at most 300 characters"),
        ("texts-0-body", "", "This field is required."),
        ("kind", "gossip", "Select a valid choice."),
        ("press_contacts-0-email", "not-an-email", "Enter a valid email address."),
        ("texts-1-language", "en", "Please correct the duplicate"),
    ],
)
def test_bad_input_in_the_post_form_is_refused_next_to_the_field(client, field, value, message):
    campaigner = member("campaigner", "campaigner")
    client.force_login(campaigner)
    organisation = campaigner.memberships.get().organisation
    response = client.post(
        "/admin/news/post/add/", post_form(organisation=organisation.pk, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


# Issue 15, A1: texts in other languages are typed into one plain field per language.

JSON_ERROR = "Enter a valid JSON"


@pytest.fixture
def campaigner(client):
    user = member("campaigner", "campaigner")
    client.force_login(user)
    client.organisation = user.memberships.get().organisation
    return client


def post_with_cover(campaigner) -> Post:
    data = post_form(
        organisation=campaigner.organisation.pk,
        **{
            "cover-TOTAL_FORMS": "1",
            "cover-0-image": upload("IMG_0042 Mariam at the vigil.jpg", size=(640, 400)),
            "cover-0-alt_text": "Families hold photographs of the detained",
            "cover-0-translated_alt_text__ar": "عائلات تحمل صور المعتقلين",
            "cover-0-credit": "Photo: Rights Watchers",
            "cover-0-translated_credit__ar": "صورة: مراقبو الحقوق",
            "press_contacts-0-translated_organisations__ar": "مراقبو الحقوق",
        },
    )
    response = campaigner.post("/admin/news/post/add/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    return Post.objects.get(slug="new-release")


def change_form(post: Post, **overrides) -> dict:
    """The post's change form as the browser sends it back, with `overrides`."""
    texts = {text.language: text for text in post.texts.all()}
    contact, cover = post.press_contacts.get(), post.cover
    data = post_form(
        organisation=post.organisation_id,
        **{
            "texts-INITIAL_FORMS": "2",
            "texts-0-id": texts["en"].pk,
            "texts-1-id": texts["ar"].pk,
            "cover-TOTAL_FORMS": "1",
            "cover-INITIAL_FORMS": "1",
            "cover-0-id": cover.pk,
            "cover-0-alt_text": cover.alt_text,
            "cover-0-translated_alt_text__ar": cover.translated_alt_text.get("ar", ""),
            "cover-0-credit": cover.credit,
            "cover-0-translated_credit__ar": cover.translated_credit.get("ar", ""),
            "press_contacts-INITIAL_FORMS": "1",
            "press_contacts-0-id": contact.pk,
            "press_contacts-0-translated_organisations__ar": contact.translated_organisations.get(
                "ar", ""
            ),
        },
    )
    data.update(overrides)
    return data


def test_a_campaigner_types_arabic_for_the_cover_and_the_press_contact(campaigner):
    page = campaigner.get("/admin/news/post/add/").content.decode()
    for name in [
        "press_contacts-__prefix__-translated_roles__ar",
        "press_contacts-__prefix__-translated_organisations__ar",
        "cover-__prefix__-translated_alt_text__ar",
        "cover-__prefix__-translated_credit__ar",
    ]:
        assert f'name="{name}"' in page, name
    assert "Role in Arabic" in page and "Credit in Arabic" in page
    assert "JSON" not in page and "{&quot;ar&quot;" not in page

    post = post_with_cover(campaigner)
    contact, cover = post.press_contacts.get(), post.cover
    assert contact.role_in("ar") == "مسؤول الإعلام"
    assert contact.organisation_in("ar") == "مراقبو الحقوق"
    assert cover.alt_in("ar") == "عائلات تحمل صور المعتقلين"
    assert cover.credit_in("ar") == "صورة: مراقبو الحقوق"

    page = campaigner.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    assert 'value="صورة: مراقبو الحقوق"' in page and 'value="مسؤول الإعلام"' in page


def test_the_arabic_back_office_names_a_post_and_its_cover_in_arabic(campaigner):
    post = post_with_cover(campaigner)
    url = f"/admin/news/post/{post.pk}/change/"
    page = campaigner.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1)
    assert "التحالف يحث على التحرك" in crumbs and "Coalition urges action" not in crumbs
    assert "عائلات تحمل صور المعتقلين" in page  # the cover's heading
    english_body = re.search(r'<textarea name="texts-0-body"[^>]*>', page).group(0)
    assert 'dir="auto"' in english_body  # an English text reads left to right in Arabic


def test_a_campaigner_changes_and_clears_the_arabic_credit(campaigner):
    post = post_with_cover(campaigner)
    data = change_form(
        post,
        **{
            "cover-0-translated_credit__ar": "تصوير: سام",
            "press_contacts-0-translated_roles__ar": "",
        },
    )
    response = campaigner.post(f"/admin/news/post/{post.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Cover.objects.get(pk=post.cover.pk).translated_credit == {"ar": "تصوير: سام"}
    contact = PressContact.objects.get(post=post)
    assert contact.translated_roles == {} and contact.role_in("ar") == "Press officer"


def test_a_text_that_looks_like_json_is_kept_as_typed(campaigner):
    post = post_with_cover(campaigner)
    data = change_form(post, **{"press_contacts-0-translated_roles__ar": '{"ar": "x"'})
    response = campaigner.post(f"/admin/news/post/{post.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert PressContact.objects.get(post=post).translated_roles == {"ar": '{"ar": "x"'}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("press_contacts-0-translated_roles__ar", "ا" * 121, "at most 120 characters"),
        ("press_contacts-0-translated_organisations__ar", "ا" * 201, "at most 200 characters"),
        ("cover-0-translated_alt_text__ar", "ا" * 301, "at most 300 characters"),
        ("cover-0-translated_credit__ar", "ا" * 201, "at most 200 characters"),
        ("cover-0-translated_credit__ar", "صورة\x00", "Null characters are not allowed."),
        ("press_contacts-0-name", "", "This field is required."),
        ("cover-0-alt_text", "", "This field is required."),
    ],
)
def test_bad_texts_in_other_languages_are_refused_and_change_nothing(
    campaigner, field, value, message
):
    post = post_with_cover(campaigner)
    before = (
        list(PressContact.objects.filter(post=post).values()),
        list(Cover.objects.filter(post=post).values()),
    )
    response = campaigner.post(
        f"/admin/news/post/{post.pk}/change/", change_form(post, **{field: value})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html and JSON_ERROR not in html
    after = (
        list(PressContact.objects.filter(post=post).values()),
        list(Cover.objects.filter(post=post).values()),
    )
    assert after == before


def test_a_campaigner_names_a_tag_in_arabic(campaigner):
    page = campaigner.get("/admin/news/tag/add/").content.decode()
    assert 'name="translated_names__ar"' in page and "Name in Arabic" in page
    assert "JSON" not in page
    response = campaigner.post(
        "/admin/news/tag/add/",
        {
            "organisation": campaigner.organisation.pk,
            "name": "Detention",
            "translated_names__ar": " الاحتجاز ",
            "slug": "detention",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Tag.objects.get(slug="detention").translated_names == {"ar": "الاحتجاز"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("translated_names__ar", "ا" * 201, "at most 200 characters"),
        ("translated_names__ar", "سوريا\x00", "Null characters are not allowed."),
        ("name", "", "This field is required."),
        ("slug", "not a slug!", "Enter a valid “slug”"),
    ],
)
def test_bad_tag_names_are_refused_and_change_nothing(campaigner, field, value, message):
    tag = make_tag(organisation=campaigner.organisation)
    data = {
        "organisation": tag.organisation_id,
        "name": tag.name,
        "translated_names__ar": "سوريا الجديدة",
        "slug": tag.slug,
        field: value,
    }
    response = campaigner.post(f"/admin/news/tag/{tag.pk}/change/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html and JSON_ERROR not in html
    tag.refresh_from_db()
    assert (tag.name, tag.translated_names) == ("Syria", {"ar": "سوريا"})
