from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.staff.scoping import ScopedAdmin

from . import keys
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    """Organisation admins make, name and revoke their organisation's keys. The key itself
    is shown once, on the page that answers its creation, and never stored."""

    list_display = [
        "name",
        "organisation",
        "scope",
        "prefix",
        "created_at",
        "last_used_at",
        "state",
    ]
    list_filter = ["organisation", "scope"]
    search_fields = ["name", "prefix"]
    list_select_related = ["organisation"]
    actions = ["revoke"]
    fields = ["organisation", "name", "scope", "expires_at"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else self.shown_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown_fields  # a key is revoked, never edited

    shown_fields = [
        "organisation",
        "name",
        "scope",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # revoked keys stay, so the audit log's entries keep their key

    @admin.display(description=_("state"))
    def state(self, api_key):
        return (
            _("revoked")
            if api_key.revoked_at
            else (_("active") if keys.is_usable(api_key) else _("expired"))
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        created, secret = keys.create_key(
            form.cleaned_data["organisation"],
            form.cleaned_data["name"],
            form.cleaned_data["scope"],
            request.user,
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.pk, obj.prefix = created.pk, created.prefix
        request._new_api_key = secret

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "api_key": obj,
            "secret": request._new_api_key,
            "title": _("API key created"),
        }
        response = TemplateResponse(request, "admin/api/apikey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = sum(keys.revoke_key(api_key, request.user) for api_key in queryset)
        self.message_user(
            request,
            ngettext("%(count)s key revoked.", "%(count)s keys revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
