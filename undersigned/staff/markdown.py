"""Long texts written in Markdown, in the back office: a short formatting help, the text as
the public page shows it (the same sanitiser), and a "Preview" button.

The button needs no JavaScript: it submits the form it sits in, in a new tab, to the
page's sibling address `markdown-preview/` (`formaction`), which renders the one text
whose button was pressed and saves nothing. So a text is previewed as typed, before the
first save too. Each admin that shows such a text answers that address with its own
permission check (`MarkdownPreviewAdmin`, or `preview_response` from a custom view).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from undersigned.pages.markdown import render_markdown

MARKDOWN_HELP = _(
    "Formatting: **bold**, *italic*, a line starting with ## is a heading, with - a list "
    "item; [words](https://example.org) make a link; a blank line starts a new paragraph. "
    "“Preview” opens the text as typed in a new tab, as the public page will show it; "
    "nothing is saved."
)

PREVIEW_BUTTON = "_markdown_preview:"  # + the field's name: Django's inlines.js renumbers it
PREVIEW_PATH = "markdown-preview/"


class MarkdownTextarea(forms.Textarea):
    """A textarea followed by its Preview button and the text as shown, folded."""

    template_name = "staff/widgets/markdown.html"

    class Media:
        css = {"all": ["staff/markdown.css"]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["button_name"] = PREVIEW_BUTTON + name
        context["widget"]["preview_path"] = PREVIEW_PATH
        text = context["widget"]["value"] or ""
        context["widget"]["shown"] = render_markdown(text) if text.strip() else ""
        return context


def markdown_field(field: forms.Field, shown_where=None) -> forms.Field:
    """The form field, written in Markdown: its widget, its help."""
    attrs = {"dir": "auto", **field.widget.attrs}
    field.widget = MarkdownTextarea(attrs=attrs)
    field.help_text = (
        format_lazy("{} {}", shown_where, MARKDOWN_HELP) if shown_where else MARKDOWN_HELP
    )
    return field


class MarkdownFields:
    """Mix into a ModelAdmin or an inline: the model fields named in `markdown_fields`
    are edited as Markdown."""

    markdown_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.markdown_fields:
            markdown_field(field)
        return field


class MarkdownPreviewAdmin(MarkdownFields):
    """Mix into a ModelAdmin (before it) whose form or inlines hold Markdown: answers the
    preview buttons of its add page (who may add) and of each change page (who may change
    that object; another organisation's answers 404)."""

    change_form_template = "staff/markdown_change_form.html"  # Enter still saves

    def get_urls(self):
        view = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(f"add/{PREVIEW_PATH}", view(self.add_preview_view), name=f"{name}_add_preview"),
            path(
                f"<path:object_id>/change/{PREVIEW_PATH}",
                view(self.change_preview_view),
                name=f"{name}_change_preview",
            ),
            *super().get_urls(),
        ]

    def add_preview_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return preview_response(request, self.admin_site)

    def change_preview_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return preview_response(request, self.admin_site)


def preview_response(request, admin_site):
    """The text whose Preview button was pressed, rendered; the caller has checked that
    the user may write it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    name = pressed_field(request.POST)
    text = request.POST.get(name, "") if name else ""
    language = text_language(request.POST, name or "")
    context = {
        **admin_site.each_context(request),
        "title": _("Preview, not saved"),
        "shown": render_markdown(text),
        "empty": not text.strip(),
        "language": language,
        "direction": ("rtl" if get_language_info(language)["bidi"] else "ltr")
        if language
        else "auto",
    }
    return TemplateResponse(request, "staff/markdown_preview.html", context)


def pressed_field(data) -> str | None:
    for key in data:
        if key.startswith(PREVIEW_BUTTON):
            return key.removeprefix(PREVIEW_BUTTON)
    return None


def text_language(data, name: str) -> str:
    """The text's language when the form says it: the button's value (a field typed in one
    language) or the row's language field (an inline's `texts-0-language`)."""
    languages = dict(settings.LANGUAGES)
    given = data.get(PREVIEW_BUTTON + name, "")
    if given in languages:
        return given
    row_language = data.get(name.rpartition("-")[0] + "-language", "") if "-" in name else ""
    return row_language if row_language in languages else ""
