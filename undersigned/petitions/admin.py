from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Demand, KeyFact, Petition, PetitionText, Photo, Signature, State


class PetitionTextInline(admin.StackedInline):
    model = PetitionText
    extra = 0
    min_num = 1


class DemandInline(admin.TabularInline):
    model = Demand
    extra = 0
    fields = ["language", "position", "heading", "text"]


class KeyFactInline(admin.TabularInline):
    model = KeyFact
    extra = 0
    fields = ["language", "position", "figure", "label"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["position", "image", "alt_text", "translated_alt_text", "credit"]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "state", "opens_at", "closes_at", "count"]
    list_filter = ["state", "organiser"]
    search_fields = ["slug", "texts__title"]
    filter_horizontal = ["targets"]
    inlines = [PetitionTextInline, DemandInline, KeyFactInline, PhotoInline]
    actions = ["open_petitions", "close_petitions", "recount"]
    fieldsets = [
        (None, {"fields": ["slug", "organiser", "targets", "original_language"]}),
        (_("Publication"), {"fields": ["state", "opens_at", "closes_at", "goal"]}),
        (
            _("Signing"),
            {"fields": ["double_opt_in", "require_challenge", "show_recent_signers"]},
        ),
        (_("Signers' data"), {"fields": ["retention_days", "signer_data", "abuse_review"]}),
    ]
    readonly_fields = ["signer_data", "abuse_review"]

    @admin.display(description=_("erasure"))
    def signer_data(self, petition):
        from undersigned.supporters.retention import describe

        return describe(petition)

    @admin.display(description=_("abuse review"))
    def abuse_review(self, petition):
        if petition.pk is None:
            return "—"
        url = reverse("admin:supporters_invalidationbatch_review", args=[petition.pk])
        return format_html('<a href="{}">{}</a>', url, _("Suspicious patterns and batches"))

    @admin.display(description=_("signatures"))
    def count(self, petition):
        return petition.signature_count()

    @admin.action(description=_("Open the selected petitions"))
    def open_petitions(self, request, queryset):
        updated = queryset.update(state=State.OPEN)
        self.message_user(
            request, ngettext("%d petition opened.", "%d petitions opened.", updated) % updated
        )

    @admin.action(description=_("Close the selected petitions"))
    def close_petitions(self, request, queryset):
        updated = queryset.filter(state=State.OPEN).update(
            state=State.CLOSED, closed_at=timezone.now()
        )
        self.message_user(
            request, ngettext("%d petition closed.", "%d petitions closed.", updated) % updated
        )

    @admin.action(description=_("Recount signatures from scratch"))
    def recount(self, request, queryset):
        for petition in queryset:
            petition.recount()
        self.message_user(request, _("Counts rebuilt."))


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["name", "petition", "country", "status", "opt_in", "source", "created_at"]
    list_filter = ["status", "petition", "opt_in", "country"]
    search_fields = ["name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Signature._meta.fields]
    show_full_result_count = False  # no COUNT(*) over a million rows on every page

    def has_add_permission(self, request):
        return False
