from django.contrib.auth.backends import ModelBackend

from . import access


class MembershipBackend(ModelBackend):
    """Signs staff in as Django does. A member's permissions are those of its roles, in the
    organisations it belongs to: permissions ticked on an account or a group do not count
    (they would reach every organisation). Operators (superusers) hold them all."""

    def get_user_permissions(self, user_obj, obj=None):
        return super().get_user_permissions(user_obj, obj) if user_obj.is_superuser else set()

    def get_group_permissions(self, user_obj, obj=None):
        return super().get_group_permissions(user_obj, obj) if user_obj.is_superuser else set()

    def get_all_permissions(self, user_obj, obj=None):
        if not access.is_staff(user_obj):
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        by_organisation = access.permissions_by_organisation(user_obj)
        if obj is None:
            return set().union(*by_organisation.values())
        return set(by_organisation.get(access.organisation_of(obj), ()))
