"""The staff's abuse review, inside the Django admin.

`/admin/supporters/invalidationbatch/review/<petition>/` shows, for a time window, the
signatures of one petition grouped by client address hash, email domain and source, with
the biggest groups first; staff can set a group aside as one batch (out of the count, with a
reason, audited) and restore any batch. "Invalidated batches" lists every batch, read-only.
Every view asks `access` who may do what, and every change goes through `services`.
"""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from undersigned.petitions.models import Signature
from undersigned.staff import access as staff_access
from undersigned.staff.scoping import ReadOnly, ScopedAdmin

from . import abuse, access, services
from .forms import BatchForm, InvalidateForm, WindowForm
from .models import InvalidationBatch


def staff_page(admin_site, request, template: str, title: str, context: dict):
    context = {
        **admin_site.each_context(request),
        "title": title,
        "LANGUAGE_BIDI": get_language_bidi(),
        **context,
    }
    response = TemplateResponse(request, template, context)
    add_never_cache_headers(response)
    return response


def abuse_window(criteria: dict) -> tuple:
    return criteria["since"], criteria["until"]


def petition_title(petition) -> str:
    text = petition.text_in(get_language())
    return text.title if text else petition.slug


@admin.register(InvalidationBatch)
class InvalidationBatchAdmin(ReadOnly, ScopedAdmin):
    """Read only: batches are made and restored from the review page, and kept as evidence."""

    list_display = ["created_at", "petition", "dimension", "value", "size", "created_by", "state"]
    list_filter = ["dimension", "petition"]
    list_select_related = ["petition", "created_by"]
    readonly_fields = [
        "petition",
        "dimension",
        "value",
        "since",
        "until",
        "reason",
        "created_by",
        "created_at",
        "restored_by",
        "restored_at",
        "confirmed_ids",
        "pending_ids",
        "review",
    ]

    @admin.display(description=gettext_lazy("signatures"))
    def size(self, batch):
        return batch.size

    @admin.display(description=gettext_lazy("state"))
    def state(self, batch):
        return _("Restored") if batch.restored_at else _("Set aside")

    @admin.display(description=gettext_lazy("review"))
    def review(self, batch):
        url = reverse("admin:supporters_invalidationbatch_review", args=[batch.petition_id])
        return format_html('<a href="{}">{}</a>', url, _("Open the petition's abuse review"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "review/<path:petition_id>/invalidate/",
                view(self.invalidate_view),
                name="supporters_invalidationbatch_invalidate",
            ),
            path(
                "review/<path:petition_id>/",
                view(self.review_view),
                name="supporters_invalidationbatch_review",
            ),
            path(
                "<path:batch_id>/restore/",
                view(self.restore_view),
                name="supporters_invalidationbatch_restore",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, petition_id):
        petition = access.get_petition_for_staff(request, petition_id)
        window = WindowForm(request.GET or None)
        hours = window.chosen_hours()
        since, until = abuse.window(hours)
        result = abuse.review(petition, since, until)
        dimensions = dict(InvalidationBatch.Dimension.choices)
        context = {
            "petition": petition,
            "window": window if window.is_bound else WindowForm(initial={"hours": hours}),
            "hours": hours,
            "review": result,
            "review_rows": abuse.REVIEW_ROWS,
            "sections": [
                (dimension, dimensions[dimension], groups)
                for dimension, groups in result.groups.items()
            ],
            "batches": InvalidationBatch.objects.filter(petition=petition).select_related(
                "created_by", "restored_by"
            )[:50],
            "may_invalidate": access.may(request.user, petition, access.INVALIDATE),
            "may_restore": access.may(request.user, petition, access.RESTORE),
            "count": petition.signature_count(),
            # across every petition of the organisations where the user reviews signers
            "busiest": abuse.busiest_last_hour(
                staff_access.scope(Signature.objects.all(), request.user, access.REVIEW)
            ),
        }
        title = _("Abuse review: %(title)s") % {"title": petition_title(petition)}
        return staff_page(self.admin_site, request, "supporters/admin/review.html", title, context)

    def invalidate_view(self, request, petition_id):
        """GET: how many signatures the batch would take, and a reason to give. POST: set
        them aside. The group comes from the review page's link (or the form's hidden
        fields), so the batch is the group staff saw, in the window they saw."""
        petition = access.get_petition_for_staff(request, petition_id, access.INVALIDATE)
        review_url = reverse("admin:supporters_invalidationbatch_review", args=[petition.pk])
        data = request.POST if request.method == "POST" else request.GET
        group = BatchForm(data)
        if not group.is_valid():
            messages.error(request, _("Choose a group of signatures on the review page."))
            return redirect(review_url)
        criteria = group.cleaned_data
        form = InvalidateForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                batch = services.invalidate_batch(
                    petition,
                    dimension=criteria["dimension"],
                    value=criteria["value"],
                    since=criteria["since"],
                    until=criteria["until"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except services.NothingToInvalidate:
                messages.info(request, _("Nothing to set aside: those signatures are gone."))
            else:
                messages.success(
                    request,
                    _("%(count)s signatures set aside; %(uncounted)s left the count.")
                    % {"count": batch.size, "uncounted": len(batch.confirmed_ids)},
                )
            return redirect(review_url)
        matching = abuse.in_window(petition, criteria["since"], criteria["until"]).filter(
            **{criteria["dimension"]: criteria["value"]}
        )
        context = {
            "petition": petition,
            "form": form,
            "raw": {name: data.get(name, "") for name in group.fields},
            "criteria": criteria,
            "dimension_label": dict(InvalidationBatch.Dimension.choices)[criteria["dimension"]],
            "label": abuse.label(
                petition, criteria["dimension"], criteria["value"], *abuse_window(criteria)
            ),
            "matching": matching.count(),
            "review_url": review_url,
        }
        title = _("Set signatures aside: %(title)s") % {"title": petition_title(petition)}
        return staff_page(
            self.admin_site, request, "supporters/admin/invalidate.html", title, context
        )

    def restore_view(self, request, batch_id):
        if request.method != "POST":
            raise Http404
        batch = access.get_batch_for_staff(request, batch_id, access.RESTORE)
        restored = services.restore_batch(batch, request.user)
        if restored:
            messages.success(request, _("%(count)s signatures restored.") % {"count": restored})
        else:
            messages.info(request, _("This batch was already restored."))
        return redirect(
            reverse("admin:supporters_invalidationbatch_review", args=[batch.petition_id])
        )
