"""Staff write, schedule and publish posts in the back office."""

from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.audit.models import AuditEntry
from undersigned.news.models import Post

from .factories import make_petition
from .news_fixtures import make_tag
from .personas import member

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
        "press_contacts-0-translated_roles": '{"ar": "مسؤول الإعلام"}',
        "press_contacts-0-translated_organisations": "{}",
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
