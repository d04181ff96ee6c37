from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from undersigned.actions.admin import ActionAdmin
from undersigned.staff.scoping import ReadOnly, ScopedAdmin, ScopedInline

from . import embed, retention, services
from .models import Demand, KeyFact, Petition, PetitionText, Photo, Signature


class PetitionTextInline(ScopedInline, admin.StackedInline):
    model = PetitionText
    extra = 0
    min_num = 1


class DemandInline(ScopedInline, admin.TabularInline):
    model = Demand
    extra = 0
    fields = ["language", "position", "heading", "text"]


class KeyFactInline(ScopedInline, admin.TabularInline):
    model = KeyFact
    extra = 0
    fields = ["language", "position", "figure", "label"]


class PhotoInline(ScopedInline, admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["position", "image", "alt_text", "translated_alt_text", "credit"]


@admin.register(Petition)
class PetitionAdmin(ActionAdmin):
    list_display = ["__str__", "slug", "organiser", "state", "opens_at", "closes_at", "count"]
    list_filter = ["state", "organiser"]
    search_fields = ["slug", "texts__title"]
    filter_horizontal = ["targets"]
    inlines = [PetitionTextInline, DemandInline, KeyFactInline, PhotoInline]
    actions = [*ActionAdmin.actions, "recount"]
    fieldsets = [
        (None, {"fields": ["slug", "organiser", "targets", "original_language"]}),
        (_("Publication"), {"fields": ["state", "opens_at", "closes_at", "goal"]}),
        (
            _("Signing"),
            {"fields": ["double_opt_in", "require_challenge", "show_recent_signers"]},
        ),
        (_("Signers' data"), {"fields": ["retention_days", "signer_data", "abuse_review"]}),
        (_("Embed on another site"), {"fields": ["embed_code"]}),
    ]
    readonly_fields = ["state", "signer_data", "abuse_review", "embed_code"]

    @admin.display(description=_("code to copy"))
    def embed_code(self, petition):
        if petition.pk is None:
            return "—"
        return format_html(
            '<textarea readonly rows="4" cols="80" dir="ltr">{}</textarea><p class="help">{}</p>'
            '<textarea readonly rows="2" cols="80" dir="ltr">{}</textarea><p class="help">{}</p>',
            embed.iframe_code(petition),
            _(
                "Paste it into the partner's page; change source=partner to a short name for "
                "the partner, so that signatures can be counted by source. The organisation's "
                "profile lists the sites allowed to show it. The script is optional: it fits "
                "the frame to its content."
            ),
            embed.badge_code(petition),
            _("A live count, for any page."),
        )

    @admin.display(description=_("erasure"))
    def signer_data(self, petition):
        return retention.describe(petition)

    @admin.display(description=_("abuse review"))
    def abuse_review(self, petition):
        if petition.pk is None:
            return "—"
        url = reverse("admin:supporters_invalidationbatch_review", args=[petition.pk])
        return format_html('<a href="{}">{}</a>', url, _("Suspicious patterns and batches"))

    @admin.display(description=_("signatures"))
    def count(self, petition):
        return petition.signature_count()

    @admin.action(description=_("Recount signatures from scratch"), permissions=["change"])
    def recount(self, request, queryset):
        for petition in queryset:
            services.recount(petition, request.user)
        self.message_user(request, _("Counts rebuilt."))


@admin.register(Signature)
class SignatureAdmin(ReadOnly, ScopedAdmin):
    """Read only. Signatures leave the count only through an invalidation batch or an
    erasure, both audited: never by deleting a row here."""

    list_display = ["name", "petition", "country", "status", "opt_in", "source", "created_at"]
    list_filter = ["status", "petition", "opt_in", "country"]
    search_fields = ["name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Signature._meta.fields]
    show_full_result_count = False  # no COUNT(*) over a million rows on every page
