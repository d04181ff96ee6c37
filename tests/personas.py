"""The people who use the back office, for tests: one of each kind of staff.

Organisation A is the factories' default organiser (Rights Watchers); organisation B is
another organisation on the same installation.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from undersigned.organisations.models import Organisation
from undersigned.staff.models import Membership, Role
from undersigned.staff.roles import CAMPAIGNER, DATA_OFFICER, ORGANISATION_ADMIN, VIEWER

from .factories import make_organiser

PASSWORD = "a long test password"


def make_other_organiser() -> Organisation:
    return make_organiser("coalition-b", "Coalition B", "التحالف ب")


def account(username: str, *, staff=True, superuser=False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
    return User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=staff)


def member(username: str, role: str | None = None, organisation=None, permissions=None):
    """A staff account with a role in one organisation: a ready-made role by its slug, or a
    role made for the test holding exactly `permissions` ("app.codename")."""
    user = account(username)
    if permissions is not None:
        made = Role.objects.create(slug=f"test-{username}", name=f"Test role of {username}")
        for name in permissions:
            app_label, codename = name.split(".")
            made.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    else:
        made = Role.objects.get(slug=role)
    Membership.objects.create(user=user, organisation=organisation or make_organiser(), role=made)
    return user


@dataclass
class Personas:
    operator: object
    admin_a: object
    campaigner_a: object
    data_officer_a: object
    viewer_a: object
    campaigner_b: object
    visitor: object
    organisation_a: Organisation
    organisation_b: Organisation

    def staff(self) -> dict:
        return {
            "operator": self.operator,
            "admin_a": self.admin_a,
            "campaigner_a": self.campaigner_a,
            "data_officer_a": self.data_officer_a,
            "viewer_a": self.viewer_a,
            "campaigner_b": self.campaigner_b,
        }


@pytest.fixture
def personas(db) -> Personas:
    a, b = make_organiser(), make_other_organiser()
    return Personas(
        operator=account("operator", superuser=True),
        admin_a=member("admin_a", ORGANISATION_ADMIN, a),
        campaigner_a=member("campaigner_a", CAMPAIGNER, a),
        data_officer_a=member("data_officer_a", DATA_OFFICER, a),
        viewer_a=member("viewer_a", VIEWER, a),
        campaigner_b=member("campaigner_b", CAMPAIGNER, b),
        visitor=account("visitor", staff=False),
        organisation_a=a,
        organisation_b=b,
    )
