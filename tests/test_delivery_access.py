"""Every staff URL of the delivery area, and every package download, refuses anonymous
visitors, signed-in people who are not staff, and staff without the permission."""

import pytest
from django.contrib.auth import get_user_model

from undersigned.delivery.access import get_action_for_staff
from undersigned.delivery.models import Package
from undersigned.letters.models import Letter

from .delivery_fixtures import closed_petition, packages_dir, staff_member  # noqa: F401
from .letters_fixtures import make_letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("packages_dir")]


@pytest.fixture
def urls(admin_client, run_tasks):
    petition = closed_petition()
    letter = make_letter(state=Letter.State.CLOSED)
    admin_client.post(
        f"/admin/delivery/petitionaction/{petition.pk}/package/",
        {"kind": "handover", "language": "en"},
    )
    admin_client.post(
        f"/admin/delivery/petitionaction/{petition.pk}/package/",
        {"kind": "emails", "language": "en"},
    )
    run_tasks()
    admin_client.logout()
    handover, emails = Package.objects.order_by("pk")
    assert emails.status == Package.Status.DONE
    gets = [
        "/admin/delivery/petitionaction/",
        "/admin/delivery/letteraction/",
        "/admin/delivery/package/",
    ]
    for kind, pk in [("petitionaction", petition.pk), ("letteraction", letter.pk)]:
        gets += [
            f"/admin/delivery/{kind}/{pk}/change/",
            f"/admin/delivery/{kind}/{pk}/progress/",
            f"/admin/delivery/{kind}/{pk}/deliver/",
        ]
    for package in (handover, emails):
        gets += [
            f"/admin/delivery/package/{package.pk}/change/",
            f"/admin/delivery/package/{package.pk}/download/csv/",
        ]
    gets.append(f"/admin/delivery/package/{handover.pk}/download/pdf/")
    posts = [
        f"/admin/delivery/petitionaction/{petition.pk}/deliver/",
        f"/admin/delivery/petitionaction/{petition.pk}/package/",
        f"/admin/delivery/petitionaction/{petition.pk}/updates/",
        f"/admin/delivery/letteraction/{letter.pk}/package/",
        f"/admin/delivery/package/{handover.pk}/delete-files/",
    ]
    return gets, posts


def assert_refused(client, urls, allowed=(302, 403, 404)):
    gets, posts = urls
    for url in gets:
        response = client.get(url)
        assert response.status_code in allowed, url
        assert b"%PDF" not in response.content and b"signer0" not in response.content
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), url
    for url in posts:
        assert client.post(url, {"kind": "emails", "language": "en"}).status_code in allowed, url
    assert Package.objects.count() == 2
    assert Package.objects.filter(status=Package.Status.DONE).count() == 2


def test_anonymous_visitors_are_sent_to_the_login(client, urls):
    assert_refused(client, urls, allowed=(302,))


def test_signed_in_people_who_are_not_staff_are_sent_to_the_login(client, urls):
    client.force_login(get_user_model().objects.create_user("signer", "s@example.org", "pw"))
    assert_refused(client, urls, allowed=(302,))


def test_staff_without_permissions_are_refused(client, urls):
    client.force_login(staff_member())
    assert_refused(client, urls, allowed=(403,))


def test_staff_who_may_view_petitions_see_progress_but_not_packages(client, urls):
    client.force_login(staff_member(permissions=["petitions.view_petition"]))
    gets, posts = urls
    progress = [url for url in gets if "petitionaction" in url and "/deliver/" not in url]
    assert len(progress) == 3  # the list, the overview and the progress page
    for url in progress:
        assert client.get(url).status_code == 200, url
    refused = [url for url in gets if url not in progress]
    assert_refused(client, (refused, posts), allowed=(403,))


def test_the_access_helper_finds_nothing_for_unknown_actions(rf, admin_user):
    from django.http import Http404

    request = rf.get("/")
    request.user = admin_user
    for kind, pk in [("petition", 999), ("letter", "x"), ("nothing", 1)]:
        with pytest.raises(Http404):
            get_action_for_staff(request, kind, pk)
