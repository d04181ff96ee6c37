from django.contrib import admin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from undersigned.actions.admin import ActionAdmin
from undersigned.staff import access
from undersigned.staff.scoping import ReadOnly, ScopedAdmin, ScopedInline

from . import retention, services
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
    ]
    readonly_fields = ["state", "signer_data", "abuse_review"]

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


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (… LIMIT n)`): the page of
    a list of ten million signatures costs what a list of ten thousand costs, and the list
    says "more than 10,000" (admin/petitions/signature/pagination.html)."""

    @cached_property
    def count(self) -> int:
        # unordered: any index that serves the filters can count the rows
        return self.object_list.order_by()[: COUNT_CAP + 1].count()


COUNT_CAP = 10_000


class ScopedPetitionFilter(admin.RelatedFieldListFilter):
    """The user's petitions, read from the petitions (a handful of rows), not by asking the
    signatures which petitions they belong to (a scan of every signature)."""

    def field_choices(self, field, request, model_admin):
        petitions = access.scope(Petition.objects.prefetch_related("texts"), request.user)
        return [(petition.pk, str(petition)) for petition in petitions]


@admin.register(Signature)
class SignatureAdmin(ReadOnly, ScopedAdmin):
    """Read only. Signatures leave the count only through an invalidation batch or an
    erasure, both audited: never by deleting a row here.

    Flat at millions of rows: no full count (CappedPaginator, show_full_result_count), no
    date drill-down (it reads every row's date) and no country filter (250 links); the
    date filter's choices are fixed ranges that need no query."""

    list_display = [
        "name", "petition", "country_name", "status", "opt_in", "source", "created_at"
    ]  # fmt: skip
    list_filter = ["status", ("petition", ScopedPetitionFilter), "opt_in", "created_at"]
    search_fields = ["name"]
    readonly_fields = [f.name for f in Signature._meta.fields]
    show_full_result_count = False
    paginator = CappedPaginator
    count_cap = COUNT_CAP

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, signature):
        # the country's name from its code: the admin's own display would build the 250
        # localised choices for every row (most of the page's time)
        return signature.country.name

    def get_queryset(self, request):
        # each row names its petition by its title: one query for the page, not one a row
        return (
            super()
            .get_queryset(request)
            .select_related("petition")
            .prefetch_related("petition__texts")
        )
