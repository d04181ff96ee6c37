"""An organisation admin makes a colleague's account in one form, sets roles, removes
members; nobody else can, and nobody can leave an organisation without an admin."""

import pytest
from django.contrib.auth import get_user_model

from undersigned.audit.models import AuditEntry
from undersigned.staff.models import Membership, Role
from undersigned.staff.roles import CAMPAIGNER, DATA_OFFICER, ORGANISATION_ADMIN

from .personas import PASSWORD

pytestmark = pytest.mark.django_db

ADD = "/admin/staff/membership/add/"


def new_member(organisation, role=CAMPAIGNER, **overrides):
    data = {
        "organisation": organisation.pk,
        "role": Role.objects.get(slug=role).pk,
        "username": "samira",
        "email": "samira@example.org",
        "password": "a long enough password 42",
    }
    if "role_id" in overrides:
        data["role"] = overrides.pop("role_id")
    data.update(overrides)
    return data


def test_an_organisation_admin_makes_a_colleagues_account_in_one_form(client, world):
    p = world.personas
    client.force_login(p.admin_a)
    response = client.post(ADD, new_member(p.organisation_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    samira = get_user_model().objects.get(username="samira")
    assert samira.is_staff and not samira.is_superuser
    membership = Membership.objects.get(user=samira)
    assert (membership.organisation, membership.role.slug) == (p.organisation_a, CAMPAIGNER)
    entry = AuditEntry.objects.get(action="member.added")
    assert (entry.username, entry.organisation, entry.detail["new_account"]) == (
        "admin_a",
        p.organisation_a,
        True,
    )

    client.logout()
    assert client.login(username="samira", password="a long enough password 42")
    page = client.get("/admin/petitions/petition/").content.decode()
    assert "Petition of A" in page and "Petition of B" not in page


def test_an_existing_account_joins_a_second_organisation(client, world):
    p = world.personas
    client.force_login(p.admin_a)
    response = client.post(ADD, new_member(p.organisation_a, username="campaigner_b", password=""))
    assert response.status_code == 302
    assert Membership.objects.filter(user=p.campaigner_b).count() == 2
    assert AuditEntry.objects.get(action="member.added").detail["new_account"] is False


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": ""}, "password", "A new account needs a password."),
        ({"password": "123"}, "password", "This password is too short"),
        ({"username": "campaigner_a", "password": ""}, "username", "already a member"),
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"username": "x" * 151}, "username", "at most 150 characters"),
        ({"username": ""}, "username", "This field is required"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"role_id": "999"}, "role", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(
    client, world, overrides, field, message
):
    p = world.personas
    client.force_login(p.admin_a)
    before = (get_user_model().objects.count(), Membership.objects.count())
    response = client.post(ADD, new_member(p.organisation_a, **overrides))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert (get_user_model().objects.count(), Membership.objects.count()) == before
    assert not AuditEntry.objects.filter(action="member.added").exists()


def test_an_admin_cannot_add_members_to_another_organisation(client, world):
    p = world.personas
    client.force_login(p.admin_a)
    form = client.get(ADD).content.decode()
    assert "Coalition B" not in form
    response = client.post(ADD, new_member(p.organisation_b))
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors)
    assert not get_user_model().objects.filter(username="samira").exists()


@pytest.mark.parametrize("persona", ["campaigner_a", "data_officer_a", "viewer_a"])
def test_other_roles_cannot_manage_members(client, world, persona):
    p = world.personas
    client.force_login(getattr(p, persona))
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, new_member(p.organisation_a)).status_code == 403
    membership = Membership.objects.get(user=p.campaigner_a)
    url = f"/admin/staff/membership/{membership.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_changing_a_role_and_removing_a_member_are_audited(client, world):
    p = world.personas
    client.force_login(p.admin_a)
    membership = Membership.objects.get(user=p.campaigner_a)
    url = f"/admin/staff/membership/{membership.pk}/change/"
    response = client.post(url, {"role": Role.objects.get(slug=DATA_OFFICER).pk})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role.slug == DATA_OFFICER
    assert AuditEntry.objects.get(action="member.role_changed").detail == {
        "previous": CAMPAIGNER,
        "role": DATA_OFFICER,
    }
    response = client.post(f"/admin/staff/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="member.removed").count() == 1


def test_the_last_organisation_admin_stays(client, world):
    p = world.personas
    client.force_login(p.admin_a)
    own = Membership.objects.get(user=p.admin_a)
    demote = client.post(
        f"/admin/staff/membership/{own.pk}/change/",
        {"role": Role.objects.get(slug=CAMPAIGNER).pk},
        follow=True,
    )
    assert "keeps at least one organisation admin" in demote.content.decode()
    remove = client.post(f"/admin/staff/membership/{own.pk}/delete/", {"post": "yes"}, follow=True)
    assert "keeps at least one organisation admin" in remove.content.decode()
    own.refresh_from_db()
    assert own.role.slug == ORGANISATION_ADMIN
    assert not AuditEntry.objects.filter(action__startswith="member.").exists()


def test_the_members_list_is_the_organisations_own(client, world):
    client.force_login(world.personas.admin_a)
    page = client.get("/admin/staff/membership/").content.decode()
    assert "campaigner_a" in page and "campaigner_b" not in page
    assert PASSWORD not in page
