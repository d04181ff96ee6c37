"""Who may see and do what in the staff's delivery area: the one place views ask.

Staff need the view permission of the action's own model (petitions.view_petition,
letters.view_letter) and, for each workflow, a permission of this app:
add_delivery (record a delivery), send_updates (email signers), add_package (make a
package), view_package (download it), export_emails (make or download a CSV with email
addresses). Superusers have them all.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .actions import PETITION, ActionRef
from .models import Package

VIEW_ACTION = {PETITION: "petitions.view_petition", "letter": "letters.view_letter"}


def is_staff(user) -> bool:
    return bool(user.is_active and user.is_staff)


def may(user, action_kind: str, *permissions: str) -> bool:
    return is_staff(user) and user.has_perms([VIEW_ACTION[action_kind], *permissions])


def get_action_for_staff(request, kind: str, pk, *permissions: str) -> ActionRef:
    if not is_staff(request.user):
        raise PermissionDenied
    try:
        action = ActionRef.get(kind, int(pk))
    except (TypeError, ValueError):
        action = None
    if action is None:
        raise Http404
    if not may(request.user, kind, *permissions):
        raise PermissionDenied
    return action


def package_permissions(package: Package) -> list[str]:
    permissions = ["delivery.view_package"]
    if package.kind == Package.Kind.EMAILS:
        permissions.append("delivery.export_emails")
    return permissions


def get_package_for_staff(request, pk) -> Package:
    if not is_staff(request.user):
        raise PermissionDenied
    try:
        package = Package.objects.select_related("petition", "letter").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        package = None
    if package is None:
        raise Http404
    if not may(request.user, package.action.kind, *package_permissions(package)):
        raise PermissionDenied
    return package
