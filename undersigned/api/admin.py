from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.audit.models import record
from undersigned.staff.scoping import ReadOnly, ScopedAdmin
from undersigned.workers import events

from . import destinations, keys, webhooks
from .models import ApiKey, WebhookDelivery, WebhookEndpoint


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


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=[(event, event) for event in events.EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organisation", "name", "url", "events", "personal_data"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith("https://") and not settings.WEBHOOK_ALLOW_HTTP:
            raise forms.ValidationError(_("Use an https:// address."))
        try:
            destinations.checked_addresses(url)
        except destinations.HostNotFound:
            raise forms.ValidationError(_("This address's host could not be found.")) from None
        except destinations.RefusedDestination:
            raise forms.ValidationError(
                _(
                    "This address leads to a private, local or internal network; webhooks are "
                    "sent only to public internet addresses."
                )
            ) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedAdmin):
    """Organisation admins register endpoints; the signing secret is shown once."""

    form = WebhookEndpointForm
    list_display = ["name", "organisation", "url", "personal_data", "failures", "paused_at"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    readonly_fields = ["failures", "paused_at", "created_at"]
    actions = ["resume"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = webhooks.new_secret()
            request._new_webhook_secret = obj.secret
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                request.user,
                "webhook_endpoint.changed" if change else "webhook_endpoint.created",
                obj,
                url=obj.url,
                events=obj.events,
                personal_data=obj.personal_data,
            )
        webhooks.forget_endpoints(obj.organisation_id)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(request.user, "webhook_endpoint.deleted", obj, url=obj.url)
            super().delete_model(request, obj)
        webhooks.forget_endpoints(obj.organisation_id)

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "endpoint": obj,
            "secret": request._new_webhook_secret,
            "title": _("Webhook endpoint added"),
        }
        response = TemplateResponse(request, "admin/api/webhookendpoint/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Resume the selected endpoints"), permissions=["change"])
    def resume(self, request, queryset):
        resumed = 0
        for endpoint in queryset:
            resumed += webhooks.resume(endpoint, request.user)
        self.message_user(
            request,
            ngettext("%(count)s endpoint resumed.", "%(count)s endpoints resumed.", resumed)
            % {"count": resumed},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, ScopedAdmin):
    """The log of deliveries: status, attempts and last error, for staff to see."""

    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    actions = None
