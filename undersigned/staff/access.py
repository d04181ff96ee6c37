"""Who among staff may see and do what: the one gate every staff surface calls.

A staff account holds permissions only through its memberships: in each organisation it
belongs to, those of its role there. Operators (superusers) hold every permission
everywhere. Each model that belongs to an organisation names the way to it in
`organisation_path` ("organiser", "petition__organiser", or a tuple of such paths).

- `scope` narrows a queryset to the organisations a member belongs to;
- `may` answers whether a user holds a permission, for one object or anywhere;
- `get_for_staff` fetches one object for a staff page: 404 when it is not the member's
  organisation's (its existence is not revealed), 403 when the role lacks the permission.

Co-hosts. A model may also share some rows, read only, with partner organisations: it
defines `shared_with(organisation_ids) -> Q` and `shared_organisation() -> id | None`
(a petition's signers who opted in to a co-host, and the co-hosting itself). A member of
the partner sees those rows where its role there may view the model, and may do nothing
else to them; `for_organisation` gives an organisation's API key the same rows.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from undersigned.ownership import organisation_of, within

from .models import Membership

CACHE_ATTRIBUTE = "_undersigned_permissions_by_organisation"


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_operator(user) -> bool:
    return is_staff(user) and user.is_superuser


def permissions_by_organisation(user) -> dict[int, frozenset[str]]:
    """{organisation id: {"app_label.codename", …}} for a member; read once per request."""
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    found: dict[int, set[str]] = {}
    rows = Membership.objects.filter(user_id=user.pk).values_list(
        "organisation_id",
        "role__permissions__content_type__app_label",
        "role__permissions__codename",
    )
    for organisation_id, app_label, codename in rows:
        permissions = found.setdefault(organisation_id, set())
        if codename:
            permissions.add(f"{app_label}.{codename}")
    result = {pk: frozenset(permissions) for pk, permissions in found.items()}
    setattr(user, CACHE_ATTRIBUTE, result)
    return result


def organisation_ids(user, permission: str | None = None) -> set[int] | None:
    """The organisations where the user holds `permission` (any role, when None); None
    means every organisation (an operator)."""
    if is_operator(user):
        return None
    if not is_staff(user):
        return set()
    return {
        pk
        for pk, permissions in permissions_by_organisation(user).items()
        if permission is None or permission in permissions
    }


def scope(queryset: QuerySet, user, permission: str | None = None) -> QuerySet:
    """The part of `queryset` that belongs to the user's organisations, and the rows shared
    with those where the user may view them (when `permission` only asks to view)."""
    ids = organisation_ids(user, permission)
    if ids is None:
        return queryset
    model = queryset.model
    condition = within(model, ids)
    if hasattr(model, "shared_with") and (permission is None or permission == view_of(model)):
        condition |= model.shared_with(organisation_ids(user, view_of(model)))
    return queryset.filter(condition)


def for_organisation(queryset: QuerySet, organisation_id: int) -> QuerySet:
    """What one organisation (its API key) reads of `queryset`: its own rows and the rows
    shared with it."""
    model = queryset.model
    condition = within(model, [organisation_id])
    if hasattr(model, "shared_with"):
        condition |= model.shared_with([organisation_id])
    return queryset.filter(condition)


def view_of(model) -> str:
    opts = model._meta.concrete_model._meta
    return f"{opts.app_label}.view_{opts.model_name}"


def may(user, permission: str, obj=None) -> bool:
    """Whether `user` holds `permission` for `obj`'s organisation (or, without an object,
    in any organisation); for a row shared with a partner, also the permission to view it
    in the partner's organisation."""
    if not is_staff(user):
        return False
    if user.is_superuser:
        return True
    by_organisation = permissions_by_organisation(user)
    if obj is None:
        return any(permission in permissions for permissions in by_organisation.values())
    if permission in by_organisation.get(organisation_of(obj), ()):
        return True
    shared = getattr(obj, "shared_organisation", None)
    return (
        shared is not None
        and permission == view_of(type(obj))
        and permission in by_organisation.get(shared(), ())
    )


def get_for_staff(request, queryset: QuerySet, pk, *permissions: str):
    """One object for a staff page, or 404 (not the user's organisation's, or no such
    object), or 403 (the user's role lacks one of `permissions`)."""
    if not is_staff(request.user):
        raise PermissionDenied
    pk = parse_pk(pk)
    if pk is None:
        raise Http404
    obj = scope(queryset, request.user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    if not all(may(request.user, permission, obj) for permission in permissions):
        raise PermissionDenied
    return obj


def parse_pk(value) -> int | None:
    """A primary key as posted or in a URL: ASCII digits only (int() would also take "١"
    or " 1"), else None."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return int(text)
