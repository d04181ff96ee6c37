"""Admin classes for models that belong to an organisation.

`ScopedAdmin` narrows every surface of a ModelAdmin to the organisations the user is a
member of: the changelist, search and date drill-down (through `get_queryset`), change,
delete and history pages (another organisation's object answers 404), the choices of
foreign keys and filters, and bulk actions (a posted id outside the user's organisations
answers 404; each object must allow the action's declared permission). Permissions are
checked per object, against the user's role in that object's organisation.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from undersigned.audit.models import record
from undersigned.ownership import is_owned

from . import access


def permission_name(model, verb: str) -> str:
    opts = model._meta.concrete_model._meta
    return f"{opts.app_label}.{verb}_{opts.model_name}"


class ScopedPermissions:
    """has_*_permission against the user's role in the object's organisation (for an
    inline, the parent's); without an object, in any of the user's organisations."""

    def may(self, request, verb: str, obj=None) -> bool:
        return access.may(request.user, permission_name(self.model, verb), obj)

    def has_view_permission(self, request, obj=None):
        return self.may(request, "view", obj) or self.may(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self.may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self.may(request, "delete", obj)


class ScopedAdmin(ScopedPermissions, admin.ModelAdmin):
    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return self.may(request, "add")

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # Django would redirect with "doesn't exist": say no more than 404

    def get_field_queryset(self, db, db_field, request):
        """Choices of a foreign key or many-to-many field: only rows of the organisations
        where the user may add this model."""
        queryset = super().get_field_queryset(db, db_field, request)
        related = db_field.remote_field.model
        if not is_owned(related):
            return queryset
        if queryset is None:
            queryset = related._default_manager.using(db).all()
        return access.scope(queryset, request.user, permission_name(self.model, "add"))

    def get_list_filter(self, request):
        """A filter on a relation lists only the related rows in the user's own lists."""
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and self.is_relation(entry):
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def is_relation(self, path: str) -> bool:
        field = self.model._meta.get_field(path.split("__")[0])
        return isinstance(field, models.ForeignKey | models.ManyToManyField)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "action" in request.POST:
            self.check_selected(request, self.get_queryset(request))
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self.check_in_scope(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.check_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def check_in_scope(self, request, object_id) -> None:
        """Not the user's organisation's (or no such row): 404 before any permission
        check, so a 403 never tells that the row exists."""
        if object_id is not None and self.get_object(request, object_id) is None:
            raise Http404

    def check_selected(self, request, queryset) -> None:
        """Every posted id must be one of the user's own rows, and the chosen action must
        be allowed on each of them (Django checks the permission in general only)."""
        names = request.POST.getlist("action")
        try:
            chosen_name = names[int(request.POST.get("index", 0))]
        except (ValueError, IndexError):
            chosen_name = None
        # every action this admin has, before Django filters them by permission in general
        actions = {name: func for func, name, _label in self._get_base_actions()}
        func = actions.get(chosen_name)
        if func is None:
            return  # Django answers "no action selected"; nothing runs
        if request.POST.get("select_across") == "1":
            chosen = queryset
        else:
            ids = {access.parse_pk(pk) for pk in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)}
            if None in ids:
                raise Http404
            chosen = queryset.filter(pk__in=ids)
            if chosen.count() != len(ids):
                raise Http404
        for verb in getattr(func, "allowed_permissions", ()):
            if not all(self.has_permission_for(request, verb, obj) for obj in chosen):
                raise PermissionDenied

    def has_permission_for(self, request, verb: str, obj) -> bool:
        if verb == "add":
            return self.may(request, "add", obj)
        return getattr(self, f"has_{verb}_permission")(request, obj)


class ReadOnly:
    """Mix into an admin whose rows nobody adds, changes or deletes there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedInline(ScopedPermissions):
    """Mix into an inline of a ScopedAdmin: its rights follow the parent's organisation."""

    def has_add_permission(self, request, obj=None):
        return self.may(request, "add", obj)


class AuditedViews:
    """Mix into the admin of signers' data (before ScopedAdmin): every look at its list,
    and at one row, is on the record, for each organisation whose rows it could show."""

    audit_name = ""  # "<audit_name>.listed", "<audit_name>.viewed"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            permission = permission_name(self.model, "view")
            ids = access.organisation_ids(request.user, permission)
            detail = {
                "page": request.GET.get("p", "0")[:9],
                "searched": bool(request.GET.get("q")),
                "filtered": sorted(key[:40] for key in request.GET if key not in ("p", "q"))[:10],
            }
            for organisation in sorted(ids) if ids is not None else [None]:
                record(
                    request.user, f"{self.audit_name}.listed", organisation=organisation, **detail
                )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record(request.user, f"{self.audit_name}.viewed", self.get_object(request, object_id))
        return response
