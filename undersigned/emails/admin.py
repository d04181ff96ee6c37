from django.contrib import admin
from django.utils.html import format_html

from undersigned.staff.scoping import AuditedViews

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(AuditedViews, admin.ModelAdmin):
    """The operator's local outbox: recipients' addresses, so each look is on the record."""

    audit_name = "outbox_messages"
    list_display = ["created_at", "to", "subject"]
    search_fields = ["to", "subject"]
    readonly_fields = ["created_at", "to", "subject", "headers", "text_body", "html_preview"]
    exclude = ["html_body"]

    @admin.display(description="HTML")
    def html_preview(self, message):
        # A sandboxed frame: the message's HTML cannot run script or reach the admin's page.
        return format_html(
            '<iframe sandbox srcdoc="{}" style="width:100%;height:32rem;border:1px solid #ccc"></iframe>',
            message.html_body,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
