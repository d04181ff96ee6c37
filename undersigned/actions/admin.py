"""What the petition and letter admins share: the lifecycle's bulk actions."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.staff.scoping import ScopedAdmin

from . import lifecycle


def change_states(admin_view, request, queryset, change, done_message) -> None:
    """Run one lifecycle change on each selected action; say what was done and refused."""
    done, refused = 0, []
    for action in queryset:
        try:
            change(action, request.user)
        except lifecycle.TransitionRefused as refusal:
            refused.append(f"{action}: {refusal}")
        else:
            done += 1
    if done:
        admin_view.message_user(request, done_message(done))
    for line in refused:
        admin_view.message_user(request, line, messages.WARNING)


class ActionAdmin(ScopedAdmin):
    """Open, close and reopen go through the lifecycle, one action at a time."""

    actions = ["open_selected", "close_selected", "reopen_selected"]

    @admin.action(description=_("Open the selected drafts"), permissions=["change"])
    def open_selected(self, request, queryset):
        change_states(
            self,
            request,
            queryset,
            lifecycle.open_action,
            lambda n: ngettext("%d action opened.", "%d actions opened.", n) % n,
        )

    @admin.action(description=_("Close the selected actions"), permissions=["change"])
    def close_selected(self, request, queryset):
        change_states(
            self,
            request,
            queryset,
            lifecycle.close_action,
            lambda n: ngettext("%d action closed.", "%d actions closed.", n) % n,
        )

    @admin.action(description=_("Reopen the selected closed actions"), permissions=["change"])
    def reopen_selected(self, request, queryset):
        change_states(
            self,
            request,
            queryset,
            lifecycle.reopen_action,
            lambda n: ngettext("%d action reopened.", "%d actions reopened.", n) % n,
        )
