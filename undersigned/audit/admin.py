from django.contrib import admin

from undersigned.organisations.scoping import ScopedAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    """Each organisation's staff read the entries about its own objects; operators read
    every entry, site-wide ones included."""

    list_display = ["created_at", "username", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_repr", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
