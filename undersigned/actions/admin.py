"""What the petition and letter admins share: the lifecycle's bulk actions."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.staff.scoping import ScopedAdmin

from . import lifecycle


def lifecycle_action(name: str, change, description, done_message):
    """A bulk action that runs one lifecycle change on each selected action and says what
    was done and what was refused (and why)."""

    def run(modeladmin, request, queryset):
        done, refused = 0, []
        for action in queryset:
            try:
                change(action, request.user)
            except lifecycle.TransitionRefused as refusal:
                refused.append(f"{action}: {refusal}")
            else:
                done += 1
        if done:
            modeladmin.message_user(request, done_message(done))
        for line in refused:
            modeladmin.message_user(request, line, messages.WARNING)

    run.__name__ = name
    return admin.action(description=description, permissions=["change"])(run)


open_selected = lifecycle_action(
    "open_selected",
    lifecycle.open_action,
    _("Open the selected drafts"),
    lambda n: ngettext("%(count)s action opened.", "%(count)s actions opened.", n) % {"count": n},
)
close_selected = lifecycle_action(
    "close_selected",
    lifecycle.close_action,
    _("Close the selected actions"),
    lambda n: ngettext("%(count)s action closed.", "%(count)s actions closed.", n) % {"count": n},
)
reopen_selected = lifecycle_action(
    "reopen_selected",
    lifecycle.reopen_action,
    _("Reopen the selected closed actions"),
    lambda n: (
        ngettext("%(count)s action reopened.", "%(count)s actions reopened.", n) % {"count": n}
    ),
)


class ActionAdmin(ScopedAdmin):
    """Open, close and reopen go through the lifecycle, one action at a time."""

    actions = [open_selected, close_selected, reopen_selected]
