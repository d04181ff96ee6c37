from django.conf import settings
from django.contrib import admin
from django.core.paginator import Paginator
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language, get_language_info, ngettext
from django.utils.translation import gettext_lazy as _

from undersigned.actions import admin as cohost_admin
from undersigned.actions.admin import ActionAdmin, markdown_preview, preview_links
from undersigned.staff import access
from undersigned.staff.languages import (
    LanguageFieldsAdmin,
    fields_with_languages,
    language_fields_form,
)
from undersigned.staff.scoping import AuditedViews, ReadOnly, ScopedAdmin, ScopedInline

from . import embed, retention, services
from .admin_forms import (
    TEXT_FIELDS,
    LanguageHeading,
    PetitionAdminForm,
    text_field,
    text_fieldsets,
)
from .models import (
    CoHost,
    Demand,
    KeyFact,
    Petition,
    PetitionText,
    Photo,
    Signature,
    SupportMessage,
    Visibility,
)


class OrderedInline(ScopedInline, admin.TabularInline):
    """Rows moved up and down by buttons (actions/order.js), not by typed positions."""

    extra = 0
    classes = ["ordered"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("heading", "text", "figure", "label"):
            field.widget.attrs.update({"dir": "auto"})
            if db_field.name == "text":
                field.widget.attrs.update({"rows": 3})
        return field


class DemandInline(OrderedInline):
    model = Demand
    fields = ["position", "heading", "text"]


class KeyFactInline(OrderedInline):
    model = KeyFact
    fields = ["position", "figure", "label"]


class OneLanguageFormSet(BaseInlineFormSet):
    """The rows of one language: their own prefix (`demands_ar`), and new rows are in it."""

    language = ""

    @classmethod
    def get_default_prefix(cls):
        return f"{super().get_default_prefix()}_{cls.language}"

    def save_new(self, form, commit=True):
        form.instance.language = self.language
        return super().save_new(form, commit)


class OneLanguageInline:
    """Mix into an OrderedInline made by `per_language`: only the rows of its language."""

    language = ""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(language=self.language)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name != "position":  # typed in this language
            bidi = get_language_info(self.language)["bidi"]
            field.widget.attrs.update({"lang": self.language, "dir": "rtl" if bidi else "ltr"})
        return field


def per_language(inline) -> list:
    """One inline group per language ("Demands — Arabic"), each ordered on its own."""
    made = []
    for code, _name in settings.LANGUAGES:
        formset = type(
            f"{inline.__name__}FormSet_{code}", (OneLanguageFormSet,), {"language": code}
        )
        plural = inline.model._meta.verbose_name_plural
        made.append(
            type(
                f"{inline.__name__}_{code}",
                (OneLanguageInline, inline),
                {
                    "language": code,
                    "formset": formset,
                    "verbose_name_plural": format_lazy("{}: {}", plural, LanguageHeading(code)),
                    "classes": [*inline.classes, f"language-group language-{code}"],
                },
            )
        )
    return made


PHOTO_TEXTS = {"translated_alt_text": "alt_text", "translated_credit": "credit"}


class PhotoInline(LanguageFieldsAdmin, ScopedInline, admin.StackedInline):
    model = Photo
    form = language_fields_form(Photo, PHOTO_TEXTS)
    extra = 0
    fields = fields_with_languages(["position", "image", "alt_text", "credit"], PHOTO_TEXTS)


class CoHostForm(cohost_admin.CoHostForm):
    class Meta(cohost_admin.CoHostForm.Meta):
        model = CoHost


class CoHostInline(cohost_admin.CoHostInline):
    model = CoHost
    form = CoHostForm


@admin.register(Petition)
class PetitionAdmin(ActionAdmin):
    form = PetitionAdminForm
    list_display = ["title", "slug", "organiser", "state", "opens_at", "closes_at", "count"]
    list_filter = ["state", "organiser"]
    search_fields = ["slug", "texts__title"]
    inlines = [*per_language(DemandInline), *per_language(KeyFactInline), PhotoInline, CoHostInline]
    actions = [*ActionAdmin.actions, "recount"]
    fieldsets = [
        *text_fieldsets(),
        (None, {"fields": ["organiser", "targets", "original_language"]}),
        (_("Publication"), {"fields": ["state", "preview", "opens_at", "closes_at", "goal"]}),
        (
            _("Signing"),
            {
                "fields": [
                    "double_opt_in",
                    "default_visibility",
                    "show_recent_signers",
                    "messages_enabled",
                ]
            },
        ),
        (_("Signers' data"), {"fields": ["retention_days", "signer_data", "abuse_review"]}),
        (_("Embed on another site"), {"fields": ["embed_code", "cohost_codes"]}),
        (_("Advanced"), {"fields": ["slug", "require_challenge"], "classes": ["collapse"]}),
    ]
    saved_previews = tuple(text_field(code, "body_preview") for code, _name in settings.LANGUAGES)
    readonly_fields = [
        "state",
        "preview",
        "signer_data",
        "abuse_review",
        "embed_code",
        "cohost_codes",
        *(text_field(code, "body_preview") for code, _name in settings.LANGUAGES),
    ]

    @admin.display(description=_("code to copy"))
    def embed_code(self, petition):
        if petition.pk is None or not petition.slug:  # not saved yet, or posted without a slug
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

    @admin.display(description=_("co-hosts' links and code"))
    def cohost_codes(self, petition):
        return cohost_admin.cohost_codes(petition, petition.original_language, embed.iframe_code)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is CoHost:
            cohost_admin.record_cohost_changes(request, form.instance, formset)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.save_texts(form.instance)
        form.instance.forget_cached_pages()

    @admin.display(description=_("title"))
    def title(self, petition):
        """In the reader's language when the petition is written in it."""
        return petition.title_in(get_language())

    @admin.display(description=_("preview"))
    def preview(self, petition):
        return preview_links(petition)

    @admin.display(description=_("erasure"))
    def signer_data(self, petition):
        return retention.describe(petition)

    @admin.display(description=_("abuse review"))
    def abuse_review(self, petition):
        if petition.pk is None or not petition.slug:  # not saved yet, or posted without a slug
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


@admin.register(CoHost)
class CoHostAdmin(cohost_admin.CoHostAdmin):
    list_display = ["organisation", "petition", "code", "through_link", "opted_in", "link"]
    list_select_related = ["organisation", "petition"]

    def link_language(self, cohost) -> str:
        return cohost.petition.original_language


def body_preview(language: str):
    def preview(self, petition):
        text = petition.texts.filter(language=language).first() if petition.pk else None
        return markdown_preview(text.body if text else "")

    preview.short_description = _("body as shown")
    return preview


def text_shown(language: str, name: str):
    """What a role that only reads sees in place of a text field."""

    def shown(self, petition):
        text = petition.texts.filter(language=language).first() if petition.pk else None
        return getattr(text, name, "") if text else ""

    shown.short_description = PetitionText._meta.get_field(name).verbose_name
    return shown


for _code, _name in settings.LANGUAGES:
    setattr(PetitionAdmin, text_field(_code, "body_preview"), body_preview(_code))
    for _field in TEXT_FIELDS:
        setattr(PetitionAdmin, text_field(_code, _field), text_shown(_code, _field))


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
class SignatureAdmin(AuditedViews, ReadOnly, ScopedAdmin):
    """Read only. Signatures leave the count only through an invalidation batch or an
    erasure, both audited: never by deleting a row here. Every look is on the record.

    Flat at millions of rows: no full count (CappedPaginator, show_full_result_count), no
    date drill-down (it reads every row's date) and no country filter (250 links); the
    date filter's choices are fixed ranges that need no query."""

    audit_name = "signatures"
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


@admin.register(SupportMessage)
class SupportMessageAdmin(AuditedViews, ScopedAdmin):
    """The moderation of messages of support: read, then approve or reject in bulk. Staff
    see what the public page would show (first name, country), never the full name or the
    email; nobody adds, edits or deletes a message here (erasure is the signer's). Only
    messages of confirmed signatures are listed."""

    audit_name = "support_messages"
    list_display = ["excerpt", "signed_by", "status", "shown_where", "created_at", "petition"]
    list_filter = ["status", ("petition", ScopedPetitionFilter), "language"]
    fields = ["text", "signed_by", "shown_where", "language", "petition", "status",
              "created_at", "reviewed_at", "reviewed_by"]  # fmt: skip
    readonly_fields = fields
    actions = ["approve_selected", "reject_selected"]

    class Media:
        css = {"all": ["petitions/moderation.css"]}

    def get_queryset(self, request):
        # a signature waiting for its email confirmation may never count: its message waits
        return (
            super()
            .get_queryset(request)
            .filter(signature__status=Signature.Status.CONFIRMED)
            .select_related("signature", "petition", "reviewed_by")
            .prefetch_related("petition__texts")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("message"))
    def excerpt(self, message):
        text = message.text if len(message.text) <= 300 else message.text[:300] + "…"
        return format_html('<div dir="auto">{}</div>', text)

    @admin.display(description=_("shown as"))
    def signed_by(self, message):
        country = message.signature.country.name
        if not message.first_name:
            return _("(no name kept), %(country)s") % {"country": country}
        return _("%(name)s, %(country)s") % {"name": message.first_name, "country": country}

    @admin.display(description=_("where"))
    def shown_where(self, message):
        if message.signature.visibility == Visibility.PUBLIC:
            return _("public page and hand-over")
        return _("hand-over only (no public name chosen)")

    @admin.action(description=_("Approve the selected messages"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done = services.review_messages(queryset, SupportMessage.Status.APPROVED, request.user)
        self.message_user(
            request,
            ngettext("%(count)s message approved.", "%(count)s messages approved.", done)
            % {"count": done},
        )

    @admin.action(description=_("Reject the selected messages"), permissions=["change"])
    def reject_selected(self, request, queryset):
        done = services.review_messages(queryset, SupportMessage.Status.REJECTED, request.user)
        self.message_user(
            request,
            ngettext("%(count)s message rejected.", "%(count)s messages rejected.", done)
            % {"count": done},
        )
