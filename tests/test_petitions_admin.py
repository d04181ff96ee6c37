"""Staff manage petitions in the admin: create, translate, preview, close, recount."""

import pytest
from django.core.cache import cache

from undersigned.petitions.models import Petition, State

from .factories import make_organiser, make_petition, make_target, signer

pytestmark = pytest.mark.django_db


def test_admin_pages_for_petitions_and_signatures_open(admin_client):
    petition = make_petition()
    for path in [
        "/admin/petitions/petition/",
        "/admin/petitions/petition/add/",
        f"/admin/petitions/petition/{petition.pk}/change/",
        "/admin/petitions/signature/",
    ]:
        assert admin_client.get(path).status_code == 200, path


def test_staff_create_a_petition_with_two_languages(admin_client):
    organiser, target = make_organiser(), make_target()
    inline = {}
    for prefix in ["demands_en", "demands_ar", "key_facts_en", "key_facts_ar", "photos", "cohosts"]:
        inline.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    for language, title in [("en", "Stop the raids"), ("ar", "أوقفوا المداهمات")]:
        inline.update(
            {
                f"{language}_title": title,
                f"{language}_summary": "Summary",
                f"{language}_pledge_heading": "To the minister,",
                f"{language}_pledge": "Stop them.",
            }
        )
    response = admin_client.post(
        "/admin/petitions/petition/add/",
        {
            "slug": "stop-the-raids",
            "organiser": organiser.pk,
            "targets": [target.pk],
            "original_language": "en",
            "opens_at_0": "2026-01-01",
            "opens_at_1": "00:00:00",
            "goal": "500",
            "double_opt_in": "on",
            "default_visibility": "public",
            **inline,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    petition = Petition.objects.get(slug="stop-the-raids")
    assert petition.text_in("ar").title == "أوقفوا المداهمات"
    assert petition.default_visibility == "public"  # the campaign's own default
    assert admin_client.get("/ar/petitions/stop-the-raids/").status_code == 200


def test_close_action_closes_and_the_public_form_goes(admin_client, client):
    petition = make_petition()
    response = admin_client.post(
        "/admin/petitions/petition/",
        {
            "action": "close_selected",
            "_selected_action": [petition.pk],
        },
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.state == State.CLOSED
    assert 'name="email"' not in client.get("/en/petitions/free-the-detained/").content.decode()


def test_recount_rebuilds_the_count_from_the_rows(admin_client, client):
    petition = make_petition(double_opt_in=False)
    client.post("/en/petitions/free-the-detained/", signer())
    petition.shards.update(count=99)  # a counter gone wrong
    admin_client.post(
        "/admin/petitions/petition/", {"action": "recount", "_selected_action": [petition.pk]}
    )
    cache.clear()
    assert petition.signature_count() == 1


def test_signatures_are_staff_only(client):
    assert client.get("/admin/petitions/signature/").status_code == 302
