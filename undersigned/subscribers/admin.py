from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersigned.delivery.models import TargetResponse
from undersigned.emails.sending import templated_email
from undersigned.staff import access
from undersigned.staff.markdown import MarkdownFields, MarkdownPreviewAdmin
from undersigned.staff.scoping import AuditedViews, ReadOnly, ScopedAdmin, ScopedInline

from . import updates
from .models import Subscription, Update, UpdateText


@admin.register(Subscription)
class SubscriptionAdmin(AuditedViews, ReadOnly, ScopedAdmin):
    """Read only: people subscribe and unsubscribe themselves. No address in the list; each
    look at the list or at one subscriber (their address) is on the record."""

    audit_name = "subscriptions"

    list_display = ["organisation", "status", "language", "source", "created_at", "confirmed_at"]
    list_filter = ["status", "language", "organisation"]
    date_hierarchy = "created_at"
    fields = [
        "organisation",
        "email",
        "name",
        "language",
        "status",
        "source",
        "consent_text",
        "consent_version",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "unsubscribed_via",
    ]
    readonly_fields = fields


class UpdateTextInline(MarkdownFields, ScopedInline, admin.StackedInline):
    model = UpdateText
    markdown_fields = ("body",)
    extra = 0
    min_num = 1
    max_num = len(settings.LANGUAGES)


@admin.register(Update)
class UpdateAdmin(MarkdownPreviewAdmin, ScopedAdmin):
    """Write an update, preview it in each language, send a test to yourself, then send it.
    Once sending starts it can no longer be changed; its page follows the progress."""

    list_display = ["__str__", "organisation", "audience", "status", "queued_at", "finished_at"]
    list_filter = ["status", "audience", "organisation"]
    fields = ["organisation", "audience", "petition"]
    inlines = [UpdateTextInline]
    change_form_template = "subscribers/admin/update_change_form.html"

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/preview/<str:language>/",
                view(self.preview_view),
                name="subscribers_update_preview",
            ),
            path("<path:object_id>/test/", view(self.test_view), name="subscribers_update_test"),
            path("<path:object_id>/send/", view(self.send_view), name="subscribers_update_send"),
            path(
                "from-response/<int:response_id>/",
                view(self.from_response_view),
                name="subscribers_update_from_response",
            ),
            *super().get_urls(),
        ]

    def scoped_update(self, request, object_id, *permissions) -> Update:
        return access.get_for_staff(
            request, self.get_queryset(request), object_id, "subscribers.view_update", *permissions
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.check_in_scope(request, object_id)
        update = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "update": update,
            "recipients": updates.recipient_count(update),
            "tally": updates.tally(update),
            "may_send": access.may(request.user, "subscribers.send_update", update),
            "languages": [(code, name) for code, name in settings.LANGUAGES],
            "refresh": update.status == Update.Status.SENDING,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def preview_view(self, request, object_id, language):
        update = self.scoped_update(request, object_id)
        if language not in dict(settings.LANGUAGES):
            raise Http404
        context = updates.email_context(update, language, _("Nour"), unsubscribe="")
        message = templated_email(updates.TEMPLATE, "preview@example.org", language, context)
        html = message.alternatives[0][0] if message.alternatives else ""
        page = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(subject)s") % {"subject": message.subject},
            "update": update,
            "subject": message.subject,
            "text": message.body,
            "html": html,
            "language": language,
        }
        return TemplateResponse(request, "subscribers/admin/preview.html", page)

    @method_decorator(require_POST)
    def test_view(self, request, object_id):
        update = self.scoped_update(request, object_id, "subscribers.send_update")
        language = request.POST.get("language", "")
        if language not in dict(settings.LANGUAGES) or not request.user.email:
            messages.error(request, _("Choose a language, and give your account an email address."))
        else:
            updates.send_test(update, request.user, language)
            messages.success(
                request,
                _("A test is on its way to %(email)s.") % {"email": request.user.email},
            )
        return redirect("admin:subscribers_update_change", update.pk)

    @method_decorator(require_POST)
    def from_response_view(self, request, response_id):
        """ "Email it to the signers": the draft update about a response, made once."""
        responses = TargetResponse.objects.filter(delivery__petition__isnull=False)
        response = access.get_for_staff(
            request,
            responses.select_related("delivery__petition"),
            response_id,
            "delivery.view_targetresponse",
            "subscribers.add_update",
        )
        update, made = updates.update_for_response(response, request.user)
        if made:
            messages.success(
                request,
                _("The update is written from the response: check it, send a test, then send it."),
            )
        return redirect("admin:subscribers_update_change", update.pk)

    @method_decorator(require_POST)
    def send_view(self, request, object_id):
        update = self.scoped_update(request, object_id, "subscribers.send_update")
        if not update.texts.exists():
            messages.error(request, _("Write the update before you send it."))
        else:
            try:
                updates.start_sending(update, request.user)
            except updates.NotADraft:
                messages.info(request, _("This update is already being sent."))
            else:
                messages.success(request, _("Sending has started. This page follows it."))
        return redirect("admin:subscribers_update_change", update.pk)
