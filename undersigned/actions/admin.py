"""What the petition and letter admins share: the lifecycle's bulk actions."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from undersigned.pages.markdown import render_markdown
from undersigned.staff.languages import language_name
from undersigned.staff.scoping import ScopedAdmin

from . import lifecycle
from .models import State


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


def actions_delete_last(actions: dict) -> dict:
    """The bulk actions in the order a campaigner needs them: the everyday ones first, the
    one that cannot be undone last."""
    delete = actions.pop("delete_selected", None)
    if delete:
        actions["delete_selected"] = delete
    return actions


class ActionAdmin(ScopedAdmin):
    """Open, close and reopen go through the lifecycle, one action at a time. An action that
    has been signed is never deleted here (it is closed; its signers' data is erased on
    schedule): neither its page nor the bulk action offers it."""

    actions = [open_selected, close_selected, reopen_selected]
    change_form_template = "actions/admin/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["order_labels"] = {
            "up": gettext("Move up"),
            "down": gettext("Move down"),
            "order": gettext("Order"),
        }
        context["may_publish"] = (obj is None or obj.state == State.DRAFT) and (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST:
            return self.publish(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            return self.publish(request, obj)
        return super().response_change(request, obj)

    def publish(self, request, obj):
        """Saved already; now opened through the lifecycle, or kept a draft with the reason."""
        try:
            lifecycle.open_action(getattr(obj, "original", obj), request.user)
        except lifecycle.TransitionRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            self.message_user(request, _("Published: the page is open to the public."))
        return HttpResponseRedirect(self.change_url(obj))

    def change_url(self, obj) -> str:
        opts = obj._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "targets":  # a few, each named in the reader's language
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_actions(self, request):
        return actions_delete_last(super().get_actions(request))

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.all_signatures().exists():
            return False
        return super().has_delete_permission(request, obj)


MARKDOWN_HELP = _(
    "Formatting: **bold**, *italic*, a line starting with ## is a heading, with - a list "
    "item; [words](https://example.org) make a link; a blank line starts a new paragraph. "
    "The preview below shows the text as it was last saved."
)


def markdown_preview(text: str) -> str:
    """The saved Markdown as the public page renders it (the same sanitiser)."""
    if not (text or "").strip():
        return "—"
    return format_html('<div class="markdown-preview" dir="auto">{}</div>', render_markdown(text))


def preview_links(action) -> str:
    """Links to the action's public page in each language it is written in: for a draft,
    the preview of the page as it will be once open."""
    if action.pk is None or not action.slug:  # not saved yet, or a form sent back
        return "—"
    languages = [code for code, _name in settings.LANGUAGES if action.has_text_in(code)]
    return format_html_join(
        " · ",
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        ((action.public_url(code), preview_label(code)) for code in languages),
    ) or format_html("{}", "—")


def preview_label(code: str) -> str:
    from django.utils.translation import gettext

    return gettext("See the page in %(language)s") % {"language": language_name(code)}
