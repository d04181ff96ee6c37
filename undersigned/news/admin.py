from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from undersigned.audit.models import record
from undersigned.staff.languages import (
    LanguageFieldsAdmin,
    fields_with_languages,
    language_fields_form,
)
from undersigned.staff.markdown import MarkdownFields, MarkdownPreviewAdmin
from undersigned.staff.scoping import ScopedAdmin, ScopedInline

from . import views_count
from .models import Cover, Post, PostText, PressContact, Tag

CONTACT_TEXTS = {"translated_roles": "role", "translated_organisations": "organisation"}
COVER_TEXTS = {"translated_alt_text": "alt_text", "translated_credit": "credit"}
TAG_NAMES = {"translated_names": "name"}


class PostTextInline(MarkdownFields, ScopedInline, admin.StackedInline):
    model = PostText
    markdown_fields = ("body", "notes_to_editors")
    extra = 0
    min_num = 1
    max_num = 2
    fields = ["language", "title", "summary", "body", "dateline", "notes_to_editors"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name != "language":  # an English text reads left to right in Arabic
            field.widget.attrs["dir"] = "auto"
        return field


class PressContactInline(LanguageFieldsAdmin, ScopedInline, admin.StackedInline):
    model = PressContact
    form = language_fields_form(PressContact, CONTACT_TEXTS)
    extra = 0
    fields = fields_with_languages(
        ["name", "role", "organisation", "email", "phone"], CONTACT_TEXTS
    )


class CoverInline(LanguageFieldsAdmin, ScopedInline, admin.StackedInline):
    model = Cover
    form = language_fields_form(Cover, COVER_TEXTS)
    extra = 0
    max_num = 1
    fields = fields_with_languages(["image", "alt_text", "credit"], COVER_TEXTS)


@admin.register(Post)
class PostAdmin(MarkdownPreviewAdmin, ScopedAdmin):
    list_display = ["__str__", "kind", "organisation", "published_at", "publication", "views"]
    list_filter = ["kind", "organisation", "tags"]
    search_fields = ["slug", "texts__title"]
    date_hierarchy = "published_at"
    filter_horizontal = ["tags", "petitions", "letters"]
    inlines = [PostTextInline, CoverInline, PressContactInline]
    fieldsets = [
        (None, {"fields": ["organisation", "kind", "slug", "author_name"]}),
        (_("Publication"), {"fields": ["published_at", "show_views"]}),
        (_("Tags and actions"), {"fields": ["tags", "petitions", "letters"]}),
    ]

    @admin.display(description=_("shown"))
    def publication(self, post):
        if post.is_published:
            return format_html('<a href="{}">{}</a>', post.get_absolute_url(), _("Published"))
        return _("Scheduled") if post.is_scheduled else _("Draft")

    @admin.display(description=_("views"))
    def views(self, post):
        return views_count.total(post)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(request.user, "post.changed" if change else "post.created", obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for action in form.instance.actions():  # their pages list this post
            transaction.on_commit(action.forget_cached_pages)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(request.user, "post.deleted", obj, slug=obj.slug)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for post in queryset:
                record(request.user, "post.deleted", post, slug=post.slug)
            super().delete_queryset(request, queryset)


@admin.register(Tag)
class TagAdmin(LanguageFieldsAdmin, ScopedAdmin):
    list_display = ["name", "slug", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    form = language_fields_form(Tag, TAG_NAMES)
    fields = fields_with_languages(["organisation", "name", "slug"], TAG_NAMES)
