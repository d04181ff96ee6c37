from django.contrib import admin

from undersigned.staff.scoping import ReadOnly, ScopedAdmin

from .models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly, ScopedAdmin):
    """Read only: people subscribe and unsubscribe themselves. No address in the list."""

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
