"""The staff back office for letters: moderation queue, direct add, import and CSV export.

Every workflow goes through `services`, which also writes the shared audit log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from undersigned.actions import admin as cohost_admin
from undersigned.actions.admin import ActionAdmin, markdown_preview, preview_links
from undersigned.actions.slugs import unique_slug
from undersigned.staff import access
from undersigned.staff.languages import (
    LanguageFieldsAdmin,
    fields_with_languages,
    language_fields_form,
)
from undersigned.staff.markdown import markdown_field
from undersigned.staff.scoping import AuditedViews, ScopedAdmin, ScopedInline

from . import embed, importer, services
from .forms import ConfirmImportForm, ImportForm, MergeForm, RejectForm
from .models import (
    CoHost,
    Endorsement,
    EndorsementToReview,
    Letter,
    Network,
    PressContact,
    normalise_name,
)

NETWORK_TEXTS = {"translated_names": "name", "translated_texts": "text"}
CONTACT_TEXTS = {"translated_roles": "role", "translated_organisations": "organisation"}


class NetworkInline(LanguageFieldsAdmin, ScopedInline, admin.StackedInline):
    model = Network
    form = language_fields_form(Network, NETWORK_TEXTS)
    fields = fields_with_languages(["marker", "name", "text"], NETWORK_TEXTS)
    extra = 0


class PressContactInline(LanguageFieldsAdmin, ScopedInline, admin.StackedInline):
    model = PressContact
    form = language_fields_form(PressContact, CONTACT_TEXTS)
    fields = fields_with_languages(
        ["name", "role", "organisation", "email", "phone"], CONTACT_TEXTS
    )
    extra = 0


class SlugFromTitleForm(forms.ModelForm):
    """The slug is optional: left empty, it is made from the title (transliterated)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = gettext_lazy(
                "The letter's address. Leave empty to make it from the title."
            )
        for name in ("title", "summary", "body", "place", "notes_to_editors"):
            if name in self.fields:  # an English letter reads left to right in the Arabic admin
                self.fields[name].widget.attrs["dir"] = "auto"
        for name in ("body", "notes_to_editors"):
            if name in self.fields:
                markdown_field(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = unique_slug(
                cleaned["title"], Letter, max_length=120, exclude_pk=self.instance.pk
            )
        return cleaned


class LetterTranslationInline(ScopedInline, admin.StackedInline):
    """The letter's translations, edited on the original's page (each keeps its own public
    address and PDF)."""

    model = Letter
    form = SlugFromTitleForm
    fk_name = "translation_of"
    fieldsets = [
        (None, {"fields": ["language", "title", "summary", "body", "place", "notes_to_editors"]}),
        (gettext_lazy("Advanced"), {"fields": ["slug"], "classes": ["collapse"]}),
    ]
    extra = 0
    verbose_name = gettext_lazy("translation")
    verbose_name_plural = gettext_lazy("translations")


class CoHostForm(cohost_admin.CoHostForm):
    class Meta(cohost_admin.CoHostForm.Meta):
        model = CoHost


class CoHostInline(cohost_admin.CoHostInline):
    model = CoHost
    form = CoHostForm


@admin.register(Letter)
class LetterAdmin(ActionAdmin):
    form = SlugFromTitleForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "language",
                    "summary",
                    "body",
                    "body_preview",
                    "organiser",
                    "targets",
                ]
            },
        ),
        (
            gettext_lazy("Publication"),
            {"fields": ["state", "preview", "place", "dated", "notes_to_editors"]},
        ),
        (
            gettext_lazy("Signatories"),
            {"fields": ["accepts_public_endorsements", "signatory_order", "show_unconfirmed"]},
        ),
        (gettext_lazy("Embed on another site"), {"fields": ["embed_code", "cohost_codes"]}),
        (
            gettext_lazy("Advanced"),
            {"fields": ["slug", "translation_of"], "classes": ["collapse"]},
        ),
    ]
    list_display = [
        "title",
        "language",
        "organiser",
        "state",
        "translation_of",
        "approved",
        "to_verify",
    ]
    list_filter = ["state", "language", "organiser"]
    readonly_fields = ["state", "preview", "body_preview", "embed_code", "cohost_codes"]
    saved_previews = ("body_preview",)
    search_fields = ["title", "slug"]
    inlines = [LetterTranslationInline, NetworkInline, PressContactInline, CoHostInline]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and obj.translation_of_id:  # a translation's own page: its texts
            return []
        return inlines

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, letter):
        return preview_links(letter)

    @admin.display(description=gettext_lazy("letter text as shown"))
    def body_preview(self, letter):
        return markdown_preview(letter.body)

    def get_queryset(self, request):
        status = Endorsement.Status
        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_count=Count("endorsement", filter=Q(endorsement__status=status.APPROVED)),
                review_count=Count(
                    "endorsement", filter=Q(endorsement__status=status.PENDING_REVIEW)
                ),
            )
        )

    @admin.display(description=gettext_lazy("code to embed it on another site"))
    def embed_code(self, letter):
        if letter.pk is None or not letter.slug:  # not saved yet, or posted without a slug
            return "—"
        return format_html(
            '<textarea readonly rows="4" cols="80" dir="ltr">{}</textarea><p class="help">{}</p>',
            embed.iframe_code(letter),
            gettext_lazy(
                "The organisation's profile lists the sites allowed to show it. The script "
                "is optional: it fits the frame to its content."
            ),
        )

    @admin.display(description=gettext_lazy("co-hosts' links and code"))
    def cohost_codes(self, letter):
        if letter.translation_of_id:  # co-hosts belong to the original
            return gettext_lazy("Co-hosts are added on the original letter's page.")
        return cohost_admin.cohost_codes(letter, letter.language, embed.iframe_code)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is CoHost:
            cohost_admin.record_cohost_changes(request, form.instance, formset)

    @admin.display(description=gettext_lazy("signatories"), ordering="approved_count")
    def approved(self, letter):
        return letter.approved_count

    @admin.display(description=gettext_lazy("to verify"), ordering="review_count")
    def to_verify(self, letter):
        return letter.review_count

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/import/", view(self.import_view), name="letters_letter_import"),
            path("<path:object_id>/export/", view(self.export_view), name="letters_letter_export"),
            *super().get_urls(),
        ]

    def letter_for(self, request, object_id, permission) -> Letter:
        letter = self.get_object(request, object_id)
        if letter is None:
            raise Http404
        if not permission(request, letter):
            raise PermissionDenied
        return letter.original

    def import_view(self, request, object_id):
        """Step one: paste or upload, then see a preview. Step two: confirm, and it is saved."""
        letter = self.letter_for(request, object_id, self.has_change_permission)
        context = {"form": ImportForm(), "preview": None}
        if request.method == "POST" and "confirm" in request.POST:
            confirm = ConfirmImportForm(request.POST)
            if confirm.is_valid():
                preview = read_import(
                    letter, confirm.cleaned_data["kind"], confirm.cleaned_data["content"]
                )
                created = services.import_endorsements(letter, preview, request.user)
                count = len(created)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s organisation imported.",
                        "%(count)s organisations imported.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(endorsements_of(letter))
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                kind = "csv" if form.cleaned_data["csv_file"] else "text"
                content = form.cleaned_data["csv_file"] or form.cleaned_data["text"]
                context["preview"] = read_import(letter, kind, content)
                context["confirm_form"] = ConfirmImportForm(
                    initial={"kind": kind, "content": content}
                )
        return self.render_staff_page(
            request, letter, "letters/admin/import.html", _("Import signatories"), context
        )

    def export_view(self, request, object_id):
        letter = self.letter_for(request, object_id, self.has_view_permission)
        if not access.may(request.user, "letters.export_contacts", letter):
            raise PermissionDenied
        return services.export_contacts(
            Endorsement.objects.filter(letter=letter), letter.slug, request.user, letter=letter
        )

    def render_staff_page(self, request, letter, template, title, context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": letter,
            "title": title,
            **context,
        }
        return TemplateResponse(request, template, context)


def read_import(letter: Letter, kind: str, content: str) -> importer.Preview:
    if kind == "csv":
        return importer.parse_csv(content, letter)
    return importer.parse_numbered_list(content, letter)


def endorsements_of(letter: Letter) -> str:
    return reverse("admin:letters_endorsement_changelist") + f"?letter__id__exact={letter.pk}"


class EndorsementAdminForm(forms.ModelForm):
    class Meta:
        model = Endorsement
        fields = [
            "letter",
            "name",
            "country",
            "website",
            "networks",
            "position",
            "contact_name",
            "contact_email",
            "language",
            "authorised",
        ]
        widgets = {"contact_name": forms.TextInput}
        help_texts = {
            "contact_email": gettext_lazy(
                "When given, the contact is emailed to confirm or withdraw, in the language below."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        letter = cleaned.get("letter") or getattr(self.instance, "letter", None)
        name = cleaned.get("name")
        if not (letter and name):
            return cleaned
        self.instance.normalised_name = normalise_name(name)
        twins = Endorsement.objects.same_organisation(letter, name, cleaned.get("country") or "")
        if twins.exclude(pk=self.instance.pk).exists():
            self.add_error("name", _("This organisation is already on the letter."))
        foreign = [n for n in cleaned.get("networks") or [] if n.letter_id != letter.pk]
        if foreign:
            self.add_error("networks", _("Choose networks of this letter only."))
        return cleaned


@admin.register(Endorsement)
class EndorsementAdmin(AuditedViews, ScopedAdmin):
    form = EndorsementAdminForm
    audit_name = "endorsements"
    list_display = ["name", "marker_list", "country", "letter", "status", "consent", "created_at"]
    list_filter = ["status", "consent", "letter", "authorised"]
    # The contact is encrypted: it is found by its exact email address (see get_search_results)
    # and never by part of it. The address hash finds what one connection sent in a day.
    search_fields = ["name", "=ip_hash"]
    search_help_text = gettext_lazy(
        "Search by organisation name, by the exact email address of the contact, or by "
        "address hash."
    )
    list_select_related = ["letter"]
    readonly_fields = [
        "status",
        "consent",
        "consent_asked_at",
        "consent_answered_at",
        "contact_erased_at",
        "rejection_reason",
        "merged_into",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "reviewed_at",
        "ip_hash",
    ]
    actions = ["approve_selected", "reject_selected", "merge_selected", "export_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("networks")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "letter":  # signatories belong to the original letter
            kwargs["queryset"] = access.scope(
                Letter.objects.originals(), request.user, "letters.add_endorsement"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_export_contacts_permission(self, request, obj=None):
        return access.may(request.user, "letters.export_contacts", obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["letter"] if obj else [])

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if "@" in term:
            results = results | queryset.with_contact_email(term)
        return results, may_have_duplicates

    @admin.display(description=gettext_lazy("networks"))
    def marker_list(self, endorsement):
        return endorsement.markers()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if "contact_email" in form.changed_data:
                services.contact_given(obj)
            return
        details = services.EndorsementDetails(
            name=form.cleaned_data["name"],
            country=form.cleaned_data["country"] or "",
            website=form.cleaned_data["website"],
            contact_name=form.cleaned_data["contact_name"],
            contact_email=form.cleaned_data["contact_email"],
            authorised=form.cleaned_data["authorised"],
            networks=list(form.cleaned_data["networks"]),
        )
        created = services.add_endorsement(
            form.cleaned_data["letter"], details, request.user, form.cleaned_data["language"]
        )
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        if change:  # a new endorsement got its networks from services.add_endorsement
            super().save_related(request, form, formsets, change)

    @admin.action(
        description=gettext_lazy("Approve the selected endorsements"), permissions=["change"]
    )
    def approve_selected(self, request, queryset):
        done = sum(services.approve(endorsement, request.user) for endorsement in queryset)
        self.message_user(
            request,
            ngettext("%(count)s endorsement approved.", "%(count)s endorsements approved.", done)
            % {"count": done},
        )

    @admin.action(
        description=gettext_lazy("Reject the selected endorsements, with a reason"),
        permissions=["change"],
    )
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            done = sum(services.reject(e, reason, request.user) for e in queryset)
            self.message_user(
                request,
                ngettext(
                    "%(count)s endorsement rejected.", "%(count)s endorsements rejected.", done
                )
                % {"count": done},
            )
            return None
        return self.action_page(
            request, queryset, "reject_selected", form, _("Reject endorsements")
        )

    @admin.action(
        description=gettext_lazy("Merge the selected duplicates into one endorsement"),
        permissions=["change"],
    )
    def merge_selected(self, request, queryset):
        letters = set(queryset.values_list("letter", flat=True))
        if len(letters) != 1:
            self.message_user(request, _("Choose endorsements of one letter."), messages.ERROR)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None)
        form.fields["into"].queryset = Endorsement.objects.filter(letter_id__in=letters).listed()
        if form.is_valid():
            keep = form.cleaned_data["into"]
            done = sum(services.merge(e, keep, request.user) for e in queryset.exclude(pk=keep.pk))
            self.message_user(
                request,
                ngettext(
                    "%(count)s endorsement merged into “%(name)s”.",
                    "%(count)s endorsements merged into “%(name)s”.",
                    done,
                )
                % {"count": done, "name": keep.name},
            )
            return None
        return self.action_page(request, queryset, "merge_selected", form, _("Merge duplicates"))

    @admin.action(
        description=gettext_lazy("Export the selected endorsements as CSV"),
        permissions=["export_contacts"],
    )
    def export_selected(self, request, queryset):
        return services.export_contacts(queryset, "endorsements", request.user)

    def action_page(self, request, queryset, action, form, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "letters/admin/action.html", context)


@admin.register(CoHost)
class CoHostAdmin(cohost_admin.CoHostAdmin):
    list_display = ["organisation", "letter", "code", "through_link", "opted_in", "link"]
    list_select_related = ["organisation", "letter"]

    @admin.display(description=gettext_lazy("endorsements listed through its link"))
    def through_link(self, cohost):
        return cohost.signatures_through_link()

    @admin.display(description=gettext_lazy("contacts opted in to its updates"))
    def opted_in(self, cohost):
        return cohost.signers_opted_in()

    def link_language(self, cohost) -> str:
        return cohost.letter.language


@admin.register(EndorsementToReview)
class EndorsementToReviewAdmin(EndorsementAdmin):
    """The moderation queue: confirmed by email, waiting for a member of staff."""

    list_display = ["name", "marker_list", "country", "website", "letter", "confirmed_at"]
    list_filter = ["letter"]
    ordering = ["confirmed_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Endorsement.Status.PENDING_REVIEW)

    def has_add_permission(self, request):
        return False
