"""The one access gate (undersigned.staff.access), on its own, and the roles it reads."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404

from undersigned.petitions.models import Petition, Signature
from undersigned.staff import access
from undersigned.staff.models import Membership, Role
from undersigned.staff.roles import CAMPAIGNER, ROLES, VIEWER

pytestmark = pytest.mark.django_db


def request_for(rf, user):
    request = rf.get("/")
    request.user = user
    return request


def test_every_permission_the_roles_name_exists_and_each_role_holds_the_one_before():
    known = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    previous = set()
    for slug, (_name, _description, permissions) in ROLES.items():
        assert set(permissions) <= known, set(permissions) - known
        assert previous <= set(permissions), slug
        previous = set(permissions)
        stored = Role.objects.get(slug=slug).permissions.select_related("content_type")
        assert {f"{p.content_type.app_label}.{p.codename}" for p in stored} == set(permissions)


def test_no_role_but_the_data_officers_sees_signers_or_their_emails():
    for slug, (_n, _d, permissions) in ROLES.items():
        sees = {"petitions.view_signature", "delivery.export_emails"} & set(permissions)
        assert bool(sees) == (slug in ("data-officer", "organisation-admin")), slug


def test_scope_keeps_the_members_organisations_only(world):
    p = world.personas
    petitions = Petition.objects.all()
    assert set(access.scope(petitions, p.campaigner_a)) == {
        world.a.closed_petition,
        world.a.open_petition,
    }
    assert set(access.scope(petitions, p.campaigner_b)) == {
        world.b.closed_petition,
        world.b.open_petition,
    }
    assert access.scope(petitions, p.operator).count() == 4
    assert not access.scope(petitions, p.visitor).exists()
    signatures = access.scope(Signature.objects.all(), p.viewer_a)
    assert set(signatures) == {world.a.signature}  # scoped; whether it may view is `may`


def test_may_asks_the_role_in_the_objects_own_organisation(world):
    p = world.personas
    # viewer in A, campaigner in B: may change B's petitions, not A's
    Membership.objects.create(
        user=p.viewer_a, organisation=p.organisation_b, role=Role.objects.get(slug=CAMPAIGNER)
    )
    viewer = type(p.viewer_a).objects.get(pk=p.viewer_a.pk)  # nothing cached
    assert access.may(viewer, "petitions.change_petition", world.b.open_petition)
    assert not access.may(viewer, "petitions.change_petition", world.a.open_petition)
    assert access.may(viewer, "petitions.view_petition", world.a.open_petition)
    assert access.may(viewer, "petitions.change_petition")  # somewhere: the menu shows it
    assert not access.may(viewer, "petitions.view_signature")
    assert not access.may(p.visitor, "petitions.view_petition")
    assert access.may(p.operator, "petitions.view_signature", world.b.signature)


def test_permissions_ticked_on_an_account_do_not_reach_any_organisation(world):
    p = world.personas
    view_signature = Permission.objects.get(codename="view_signature")
    p.campaigner_a.user_permissions.add(view_signature)
    campaigner = type(p.campaigner_a).objects.get(pk=p.campaigner_a.pk)
    assert not campaigner.has_perm("petitions.view_signature")
    assert not access.may(campaigner, "petitions.view_signature", world.a.signature)


def test_get_for_staff_answers_404_outside_the_organisation_and_403_without_the_role(rf, world):
    p = world.personas
    petitions = Petition.objects.all()
    own, other = world.a.closed_petition, world.b.closed_petition
    request = request_for(rf, p.viewer_a)
    assert access.get_for_staff(request, petitions, own.pk, "petitions.view_petition") == own
    for pk in [other.pk, 999_999, "x", "١", " 1", "1" * 30, None]:
        with pytest.raises(Http404):
            access.get_for_staff(request, petitions, pk)
    with pytest.raises(PermissionDenied):
        access.get_for_staff(request, petitions, own.pk, "petitions.change_petition")
    with pytest.raises(PermissionDenied):
        access.get_for_staff(request_for(rf, p.visitor), petitions, own.pk)


def test_a_member_of_two_organisations_sees_both(world):
    p = world.personas
    Membership.objects.create(
        user=p.campaigner_b, organisation=p.organisation_a, role=Role.objects.get(slug=VIEWER)
    )
    member = type(p.campaigner_b).objects.get(pk=p.campaigner_b.pk)
    assert access.scope(Petition.objects.all(), member).count() == 4
    assert access.organisation_ids(member, "petitions.change_petition") == {p.organisation_b.pk}
