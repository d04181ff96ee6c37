"""Adding, changing and removing an organisation's members: the only write paths for
memberships, each on the record."""

from django.contrib.auth import get_user_model
from django.db import transaction

from undersigned.audit.models import record
from undersigned.organisations.models import Organisation

from .models import Membership, Role
from .roles import ORGANISATION_ADMIN


class LastAdmin(Exception):
    """An organisation keeps at least one organisation admin."""


def add_member(
    organisation: Organisation, role: Role, by, *, username: str, email: str = "", password=""
) -> Membership:
    """Give an account a role in the organisation, making the account first when the
    username is new. The account becomes staff (it can sign in to the back office)."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User.objects.create_user(username, email, password or None, is_staff=True)
        elif not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True)
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        record(by, "member.added", membership, role=role.slug, new_account=created)
    return membership


def change_role(membership: Membership, role: Role, by) -> None:
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role_id == role.pk:
            return
        if is_last_admin(locked):
            raise LastAdmin
        previous = locked.role.slug
        Membership.objects.filter(pk=locked.pk).update(role=role)
        membership.role = role
        record(by, "member.role_changed", membership, previous=previous, role=role.slug)


def remove_member(membership: Membership, by) -> None:
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if is_last_admin(locked):
            raise LastAdmin
        record(by, "member.removed", locked, role=locked.role.slug, account=locked.user_id)
        locked.delete()


def is_last_admin(membership: Membership) -> bool:
    if membership.role.slug != ORGANISATION_ADMIN:
        return False
    admins = Membership.objects.filter(
        organisation_id=membership.organisation_id, role__slug=ORGANISATION_ADMIN
    )
    return not admins.exclude(pk=membership.pk).exists()
