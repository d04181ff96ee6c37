"""What the petition and letter admins share: the lifecycle's bulk actions."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from undersigned.audit.models import record
from undersigned.organisations.models import Organisation
from undersigned.pages.markdown import render_markdown
from undersigned.staff.languages import language_name
from undersigned.staff.markdown import MarkdownPreviewAdmin
from undersigned.staff.scoping import ScopedAdmin, ScopedInline

from . import lifecycle
from .models import State


def without(fields, names) -> list:
    return [field for field in fields if field not in names]


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


class ActionAdmin(MarkdownPreviewAdmin, ScopedAdmin):
    """Open, close and reopen go through the lifecycle, one action at a time. An action that
    has been signed is never deleted here (it is closed; its signers' data is erased on
    schedule): neither its page nor the bulk action offers it."""

    actions = [open_selected, close_selected, reopen_selected]
    change_form_template = "actions/admin/change_form.html"
    saved_previews: tuple[str, ...] = ()  # read-only previews, for those who may not edit

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj):
            return fieldsets
        return [  # an editor's Markdown widget shows the text as shown already
            (name, {**options, "fields": without(options["fields"], self.saved_previews)})
            for name, options in fieldsets
        ]

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


def markdown_preview(text: str) -> str:
    """The saved Markdown as the public page renders it (the same sanitiser), for those
    who read the page without its editor (whose widget shows it: staff/markdown.py)."""
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


# Co-hosts (actions/cohosts.py): the same inline, audit and counts for petitions and letters


class CoHostForm(forms.ModelForm):
    """The co-host is named by its slug, typed: a select would list every organisation on
    the installation to every organisation's staff."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        widget=forms.TextInput(attrs={"dir": "ltr", "size": 24}),
        label=_("co-host (its slug)"),
        help_text=_("The partner organisation's slug on this site, e.g. snhr."),
        error_messages={"invalid_choice": _("No organisation on this site has this slug.")},
    )

    class Meta:
        fields = ["organisation", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.organisation_id:  # shown as its slug, as typed, not its id
            self.initial["organisation"] = self.instance.organisation.slug


class CoHostInline(ScopedInline, admin.TabularInline):
    """Partner organisations promoting the action, each with its own link; added and
    removed by the organiser's staff (audited by `record_cohost_changes`). A subclass names
    the `model`."""

    form = CoHostForm
    extra = 0
    fields = ["organisation", "code"]
    classes = ["collapse"]  # technical: each partner's source code, folded away like Advanced
    verbose_name = _("co-host")
    verbose_name_plural = _("co-hosts (partners with their own link and opt-in line)")


def record_cohost_changes(request, action, formset) -> None:
    """Co-hosts added, changed and removed are on the record, in the formset's transaction.
    A removed co-host's staff and keys lose the signers at once (actions/cohosts.py)."""
    for cohost in formset.new_objects:
        record(
            request.user,
            "cohost.added",
            cohost,
            organisation_slug=cohost.organisation.slug,
            code=cohost.code,
        )
    for cohost, changed in formset.changed_objects:
        record(request.user, "cohost.changed", cohost, fields=changed, code=cohost.code)
    for cohost in formset.deleted_objects:
        record(
            request.user,
            "cohost.removed",
            organisation=action.organiser_id,
            **{action.kind: action.slug},
            organisation_slug=cohost.organisation.slug,
            code=cohost.code,
        )


def cohost_counts(cohost) -> str:
    counts = {"through": cohost.signatures_through_link(), "opted": cohost.signers_opted_in()}
    if cohost.action_field == "letter":
        return (
            _(
                "%(through)s endorsements listed through this link; %(opted)s contacts opted in to its updates."
            )
            % counts
        )
    return (
        _("%(through)s confirmed signatures through this link; %(opted)s opted in to its updates.")
        % counts
    )


def cohost_codes(action, language: str, iframe_code) -> str:
    """For the action's staff page: each co-host's counts, link and iframe code."""
    if action.pk is None or not action.slug:
        return "—"
    cohosts = list(action.cohosts.select_related("organisation"))
    if not cohosts:
        return _("No co-hosts yet: add them under “co-hosts” below.")
    return format_html_join(
        "",
        '<h4 class="cohost__name">{}</h4><p class="help">{}</p>'
        '<input readonly size="80" dir="ltr" value="{}" aria-label="{}">'
        '<textarea readonly rows="3" cols="80" dir="ltr" aria-label="{}">{}</textarea>',
        (
            (
                cohost.organisation,
                cohost_counts(cohost),
                settings.SITE_URL + cohost.link(language),
                _("link"),
                _("code to copy"),
                iframe_code(action, cohost.code),
            )
            for cohost in cohosts
        ),
    )


class CoHostAdmin(ScopedAdmin):
    """Counts by co-host. The organiser's staff see every co-host of their actions (and add
    or change them on the action's page); a co-host's staff see their own co-hostings, read
    only (rows shared with them, staff.access). A subclass adds the action's column."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("confirmed signatures through its link"))
    def through_link(self, cohost):
        return cohost.signatures_through_link()

    @admin.display(description=_("opted in to its updates"))
    def opted_in(self, cohost):
        return cohost.signers_opted_in()

    @admin.display(description=_("link"))
    def link(self, cohost):
        url = settings.SITE_URL + cohost.link(self.link_language(cohost))
        return format_html('<a href="{}" dir="ltr">{}</a>', url, url)

    def link_language(self, cohost) -> str:
        raise NotImplementedError
