"""Who may see and do what in the staff's delivery area, through the one access gate
(undersigned.staff.access): an action or package of another organisation answers
404, a missing permission 403.

Staff need the view permission of the action's own model (petitions.view_petition,
letters.view_letter) in the action's organisation and, for each workflow, a permission of
this app: add_delivery (record a delivery), send_updates (email signers), add_package
(make a package), view_package (download it), export_emails (make or download a CSV with
email addresses). The roles give them (undersigned/staff/roles.py).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from undersigned.staff import access

from .actions import LETTER, MODELS, PETITION, ActionRef
from .models import Package

VIEW_ACTION = {PETITION: "petitions.view_petition", LETTER: "letters.view_letter"}


def may(user, action: ActionRef, *permissions: str) -> bool:
    return all(
        access.may(user, permission, action.obj)
        for permission in (VIEW_ACTION[action.kind], *permissions)
    )


def may_in_any(user, kind: str) -> bool:
    """For the admin's menu and lists: may the user view actions of this kind anywhere?"""
    return access.may(user, VIEW_ACTION[kind])


def get_action_for_staff(request, kind: str, pk, *permissions: str) -> ActionRef:
    if kind not in MODELS:
        raise Http404
    queryset = MODELS[kind].objects.all()
    if kind == LETTER:
        queryset = queryset.originals()
    obj = access.get_for_staff(request, queryset, pk, VIEW_ACTION[kind], *permissions)
    return ActionRef.of(obj)


def package_permissions(package: Package) -> list[str]:
    permissions = ["delivery.view_package"]
    if package.kind == Package.Kind.EMAILS:
        permissions.append("delivery.export_emails")
    return permissions


def get_package_for_staff(request, pk) -> Package:
    queryset = Package.objects.select_related("petition", "letter")
    package = access.get_for_staff(request, queryset, pk)
    if not may(request.user, package.action, *package_permissions(package)):
        raise PermissionDenied
    return package
