"""The staff's delivery area, inside the Django admin.

- "Petitions: progress and delivery" and "Sign-on letters: progress and delivery" list the
  actions; each opens an overview (state, delivery, update email, packages) with links to
  its progress page and to the form that records the delivery.
- "Hand-over packages": every package, each with a page that follows its progress (it
  reloads itself while the task runs, no JavaScript needed) and its downloads.

Every view asks `access` who may do what, and every workflow goes through `services`.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries

from undersigned.audit.models import record
from undersigned.letters.models import Endorsement
from undersigned.ownership import within
from undersigned.petitions.models import Signature
from undersigned.petitions.sharing import CHANNELS
from undersigned.staff import access as organisation_access
from undersigned.staff.markdown import MarkdownFields, MarkdownPreviewAdmin, preview_response
from undersigned.staff.scoping import ReadOnly, ScopedAdmin, ScopedInline
from undersigned.storage import download_response, private_files

from . import access, services
from .actions import LETTER, PETITION, ActionRef
from .charts import Bar, bar_chart, hbar_chart
from .files import package_file
from .forms import DeliveryForm, PackageForm, PhotoFormSet
from .models import (
    Delivery,
    LetterAction,
    Package,
    PetitionAction,
    TargetResponse,
    TargetResponseText,
    UpdateEmail,
)
from .progress import DOMAIN_GAP, DOMAIN_MIN, HOURS, progress_for


def staff_page(admin_site, request, template: str, title: str, context: dict):
    action = context.get("action")
    context = {
        **admin_site.each_context(request),
        "title": title,
        "action_title": action.title(get_language()) if action else "",
        **context,
    }
    return TemplateResponse(request, template, context)


class ActionAdmin(ReadOnly, admin.ModelAdmin):
    """The list of actions of one kind; each row leads to the action's delivery overview."""

    kind = PETITION
    list_display = ["__str__", "public_state", "signature_total", "delivered_on"]
    list_display_links = ["__str__"]
    search_fields = ["slug"]
    list_per_page = 50

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return access.may_in_any(request.user, self.kind)
        return access.may(request.user, ActionRef.of(obj))

    def has_module_permission(self, request):
        return access.may_in_any(request.user, self.kind)

    def get_queryset(self, request):
        return organisation_access.scope(super().get_queryset(request), request.user)

    def get_actions(self, request):
        return {}

    @admin.display(description=gettext_lazy("delivered on"))
    def delivered_on(self, obj):
        delivery = getattr(obj, "delivery", None)
        return date_format(delivery.delivered_on) if delivery else "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/progress/", view(self.progress_view), name=f"{name}_progress"),
            path("<path:object_id>/deliver/", view(self.deliver_view), name=f"{name}_deliver"),
            path(
                "<path:object_id>/deliver/markdown-preview/",
                view(self.deliver_preview_view),
                name=f"{name}_deliver_preview",
            ),
            path("<path:object_id>/package/", view(self.package_view), name=f"{name}_package"),
            path("<path:object_id>/updates/", view(self.updates_view), name=f"{name}_updates"),
            *super().get_urls(),
        ]

    # The overview replaces the change form: actions are edited in their own admin.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        action = access.get_action_for_staff(request, self.kind, object_id)
        user = request.user
        delivery = Delivery.objects.filter(**action.fk()).prefetch_related("texts").first()
        packages = list(Package.objects.filter(**action.fk()).select_related("requested_by")[:20])
        may_emails = access.may(user, action, "delivery.export_emails")
        context = {
            "action": action,
            "delivery": delivery,
            "packages": [p for p in packages if may_emails or p.kind != Package.Kind.EMAILS],
            "total": action.signatures().count(),
            "may_deliver": access.may(user, action, *self.deliver_permissions()),
            "may_respond": access.may(user, action, "delivery.add_targetresponse"),
            "may_package": access.may(user, action, "delivery.add_package"),
            "package_form": PackageForm(
                may_export_emails=may_emails, is_petition=action.is_petition
            )
            if action.is_deliverable
            else None,
            "public_url": action.public_url(get_language()),
        }
        if action.is_petition and delivery is not None:
            context["updates"] = {
                "opted_in": Signature.objects.filter(
                    petition=action.obj, status=Signature.Status.CONFIRMED, opt_in=True
                ).count(),
                "sent": UpdateEmail.objects.filter(
                    delivery=delivery, sent_at__isnull=False
                ).count(),
                "may_send": access.may(user, action, "delivery.send_updates"),
            }
        return staff_page(
            self.admin_site,
            request,
            "delivery/admin/overview.html",
            action.title(get_language()),
            context,
        )

    def deliver_permissions(self) -> list[str]:
        model = "petitions.change_petition" if self.kind == PETITION else "letters.change_letter"
        return ["delivery.add_delivery", "delivery.change_delivery", model]

    def deliver_view(self, request, object_id):
        action = access.get_action_for_staff(
            request, self.kind, object_id, *self.deliver_permissions()
        )
        overview = reverse(f"admin:delivery_{self.opts.model_name}_change", args=[action.pk])
        if not action.is_deliverable:
            messages.error(request, _("Close the action before you record its delivery."))
            return redirect(overview)
        delivery = Delivery.objects.filter(**action.fk()).prefetch_related("texts").first()
        may_send = (
            action.is_petition
            and access.may(request.user, action, "delivery.send_updates")
            and not (delivery and delivery.updates_queued_at)
        )
        languages = [code for code, _name in settings.LANGUAGES]
        initial = {}
        if delivery:
            initial = {"delivered_on": delivery.delivered_on, "method": delivery.method}
            for text in delivery.texts.all():
                initial[f"recipients_{text.language}"] = text.recipients
                initial[f"note_{text.language}"] = text.note
        data = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        form = DeliveryForm(data, initial=initial, languages=languages, may_send_updates=may_send)
        photos = PhotoFormSet(data, files, prefix="photos")
        if request.method == "POST" and form.is_valid() and photos.is_valid():
            uploads = [upload for f in photos.forms if (upload := f.upload())]
            try:
                services.record_delivery(
                    action,
                    form.details(uploads),
                    request.user,
                    send_updates=form.cleaned_data.get("send_updates", False),
                )
            except services.NotDeliverable:
                messages.error(request, _("Close the action before you record its delivery."))
            else:
                messages.success(
                    request, _("The delivery is recorded and shown on the public page.")
                )
            return redirect(overview)
        context = {"action": action, "delivery": delivery, "form": form, "photos": photos}
        title = _("Record the delivery") if delivery is None else _("Edit the delivery")
        return staff_page(self.admin_site, request, "delivery/admin/deliver.html", title, context)

    def deliver_preview_view(self, request, object_id):
        """The delivery form's Preview buttons: for those who may record the delivery."""
        access.get_action_for_staff(request, self.kind, object_id, *self.deliver_permissions())
        return preview_response(request, self.admin_site)

    def package_view(self, request, object_id):
        if request.method != "POST":
            return redirect(
                reverse(f"admin:delivery_{self.opts.model_name}_change", args=[object_id])
            )
        action = access.get_action_for_staff(request, self.kind, object_id, "delivery.add_package")
        may_emails = access.may(request.user, action, "delivery.export_emails")
        form = PackageForm(
            request.POST, may_export_emails=may_emails, is_petition=action.is_petition
        )
        if not form.is_valid():
            messages.error(request, _("Choose what to make and in which language."))
            return redirect(action.staff_url())
        try:
            package = services.request_package(
                action,
                kind=form.cleaned_data["kind"],
                language=form.cleaned_data["language"],
                include_names=form.cleaned_data.get("include_names", False),
                include_messages=form.cleaned_data.get("include_messages", False),
                user=request.user,
            )
        except services.NotDeliverable:
            messages.error(request, _("Only a closed or delivered action can be packaged."))
            return redirect(action.staff_url())
        return redirect(reverse("admin:delivery_package_change", args=[package.pk]))

    def updates_view(self, request, object_id):
        if request.method != "POST":
            raise Http404
        action = access.get_action_for_staff(request, self.kind, object_id, "delivery.send_updates")
        delivery = Delivery.objects.filter(**action.fk()).first()
        if delivery is None or not action.is_petition:
            raise Http404
        if services.queue_updates(delivery, request.user):
            messages.success(request, _("The update email is queued."))
        else:
            messages.info(request, _("The update email was already queued."))
        return redirect(action.staff_url())

    # Progress

    def progress_view(self, request, object_id):
        action = access.get_action_for_staff(request, self.kind, object_id)
        progress = progress_for(action, use_cache=not request.GET.get("fresh"))
        language = get_language()
        counted_word = _("confirmed") if action.is_petition else _("approved")
        other_word = _("not counted") if action.is_petition else _("not listed")

        def bars(rows, label_format, tooltip_format):
            return [
                Bar(
                    label=date_format(moment, label_format),
                    tooltip=f"{date_format(moment, tooltip_format)}: {c} {counted_word}, {p} {other_word}",
                    counted=c,
                    other=p,
                )
                for moment, c, p in rows
            ]

        names = dict(countries)
        country_rows = [
            (names.get(code) or _("Country not given"), n) for code, n in progress.by_country
        ]
        if progress.rest_countries:
            country_rows.append(
                (
                    _("The rest (%(count)s countries)") % {"count": progress.rest_countries},
                    progress.rest_count,
                )
            )
        title = action.title(language)
        labels = dict(
            Signature.Status.choices if action.is_petition else Endorsement.Status.choices
        )
        context = {
            "action": action,
            "progress": progress,
            "status_rows": [(labels.get(status, status), n) for status, n in progress.by_status],
            "counted_word": counted_word,
            "other_word": other_word,
            "hours": HOURS,
            "day_chart": bar_chart(
                bars(progress.per_day, "j M", "j F Y"),
                title=_("Signatures per day"),
                desc=_("%(title)s: signatures per day, %(counted)s and %(other)s.")
                % {"title": title, "counted": counted_word, "other": other_word},
            ),
            "hour_chart": bar_chart(
                bars(progress.per_hour, "H:i", "j F Y H:i"),
                title=_("Signatures per hour"),
                desc=_("The %(hours)s hours up to the latest signature.") % {"hours": HOURS},
            ),
            "country_rows": country_rows,
            "country_chart": hbar_chart(
                country_rows,
                title=_("Signatures by country"),
                desc=_("The 20 countries with the most %(counted)s signatures, then the rest.")
                % {"counted": counted_word},
                rtl=get_language_bidi(),
            ),
            "source_rows": [
                {
                    "source": source,
                    "counted": c,
                    "other": p,
                    "rate": round(100 * c / (c + p), 1) if c + p else None,
                }
                for source, c, p in progress.by_source
            ],
            "share_rows": [
                (CHANNELS.get(channel, channel), n) for channel, n in progress.share_clicks
            ],
            "domain_rows": progress.by_domain,
            "flagged_domains": progress.flagged_domains,
            "domain_settled_hours": 1,
            "domain_gap": DOMAIN_GAP,
            "domain_min": DOMAIN_MIN,
        }
        if progress.share_clicks:
            context["share_chart"] = hbar_chart(
                context["share_rows"],
                title=_("Share-step clicks by channel"),
                desc=_("Clicks on the share buttons after signing."),
                rtl=get_language_bidi(),
            )
        heading = _("Progress: %(title)s") % {"title": title}
        page = staff_page(
            self.admin_site, request, "delivery/admin/progress.html", heading, context
        )
        add_never_cache_headers(page)
        return page


@admin.register(PetitionAction)
class PetitionActionAdmin(ActionAdmin):
    kind = PETITION
    list_filter = ["state"]
    search_fields = ["slug", "texts__title"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("delivery").prefetch_related("texts")

    @admin.display(description=gettext_lazy("state"))
    def public_state(self, petition):
        return (
            petition.get_state_display() if petition.state == petition.public_state else _("Closed")
        )

    @admin.display(description=gettext_lazy("signatures"))
    def signature_total(self, petition):
        return petition.signature_count()


@admin.register(LetterAction)
class LetterActionAdmin(ActionAdmin):
    kind = LETTER
    list_filter = ["state"]
    search_fields = ["slug", "title"]

    def get_queryset(self, request):
        approved = Q(endorsement__status=Endorsement.Status.APPROVED)
        return (
            super()
            .get_queryset(request)
            .filter(translation_of__isnull=True)
            .select_related("delivery")
            .annotate(approved_count=Count("endorsement", filter=approved))
        )

    @admin.display(description=gettext_lazy("state"))
    def public_state(self, letter):
        return letter.get_state_display()

    @admin.display(description=gettext_lazy("signatories"), ordering="approved_count")
    def signature_total(self, letter):
        return letter.approved_count


@admin.register(Package)
class PackageAdmin(ReadOnly, ScopedAdmin):
    list_display = ["__str__", "status", "rows", "requested_by", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["petition", "letter", "requested_by"]

    def get_actions(self, request):
        return {}

    def get_queryset(self, request):
        """Exports with email addresses only where the user's role may export them."""
        queryset = super().get_queryset(request)
        may_export = organisation_access.organisation_ids(request.user, "delivery.export_emails")
        if may_export is not None:
            queryset = queryset.exclude(Q(kind=Package.Kind.EMAILS) & ~within(Package, may_export))
        return queryset

    @admin.display(description=gettext_lazy("rows"))
    def rows(self, package):
        if package.total_rows is None:
            return "—"
        return f"{package.rows_written:,} / {package.total_rows:,}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/download/<str:which>/",
                view(self.download_view),
                name="delivery_package_download",
            ),
            path(
                "<path:object_id>/delete-files/",
                view(require_POST(self.delete_files_view)),
                name="delivery_package_delete_files",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        package = access.get_package_for_staff(request, object_id)
        context = {
            "package": package,
            "action": package.action,
            "refresh": package.is_active,
            "may_delete": organisation_access.may(request.user, "delivery.delete_package", package),
        }
        title = _("Package: %(title)s") % {"title": package.action.title(get_language())}
        response = staff_page(
            self.admin_site, request, "delivery/admin/package.html", title, context
        )
        add_never_cache_headers(response)
        return response

    def download_view(self, request, object_id, which):
        package = access.get_package_for_staff(request, object_id)
        files = {"csv": package.csv_file, "pdf": package.pdf_file, "booklet": package.booklet_file}
        name = files.get(which)
        if package.status != Package.Status.DONE or not name:
            raise Http404
        stored = package_file(package, name)
        if stored is None:
            raise Http404
        services.record_download(package, which, request.user)
        content_type = "text/csv; charset=utf-8" if which == "csv" else "application/pdf"
        return download_response(private_files(), stored, name, content_type)

    def delete_files_view(self, request, object_id):
        package = access.get_package_for_staff(request, object_id)
        if not organisation_access.may(request.user, "delivery.delete_package", package):
            raise PermissionDenied
        if services.delete_package_files(package, request.user):
            messages.success(request, _("The package's files are deleted."))
        return redirect(reverse("admin:delivery_package_change", args=[package.pk]))


class TargetResponseTextInline(MarkdownFields, ScopedInline, admin.StackedInline):
    model = TargetResponseText
    markdown_fields = ("summary",)
    extra = 0
    min_num = 1
    max_num = len(settings.LANGUAGES)


@admin.register(TargetResponse)
class TargetResponseAdmin(MarkdownPreviewAdmin, ScopedAdmin):
    """Responses are recorded once an action is delivered: the delivery is chosen among the
    user's organisation's, and the public page shows the response at once."""

    list_display = ["responder", "delivery", "responded_on", "method"]
    list_filter = ["method"]
    search_fields = ["responder"]
    date_hierarchy = "responded_on"
    inlines = [TargetResponseTextInline]
    fields = ["delivery", "responder", "responded_on", "method", "document"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if not change:
                obj.recorded_by = request.user
            super().save_model(request, obj, form, change)
            record(
                request.user,
                "target_response.changed" if change else "target_response.recorded",
                obj,
                responder=obj.responder,
            )
            transaction.on_commit(obj.delivery.action.obj.forget_cached_pages)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(request.user, "target_response.deleted", obj, responder=obj.responder)
            super().delete_model(request, obj)
            transaction.on_commit(obj.delivery.action.obj.forget_cached_pages)
