"""The hand-over PDF: a document addressed to the action's targets, in the package's language.

WeasyPrint shapes Arabic with HarfBuzz and lays it out right to left; the fonts are the
system's (Noto Naskh Arabic, DejaVu Sans) and nothing is fetched from anywhere.

For a petition, the optional list of signers' names (first name and country: never an
email address) stops at NAMES_CAP: a million names would make a PDF of some 7,000 pages that
takes many minutes and gigabytes to lay out. The PDF then says that the complete list is in
the CSV file of the same package.
"""

import logging
from pathlib import Path

from django.db.models import Count, Max, Min
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Signature, SupportMessage, Visibility

from .exports import country_names, exported_signatures

NAMES_CAP = 5000
BOOKLET_CAP = 2000  # messages in the booklet; each is at most 500 characters
NBSP = "\u00a0"


def package_context(package, csv_name: str) -> dict:
    action = package.action
    language = package.language
    names = country_names(language)
    signatures = action.signatures()
    counts = list(signatures.values_list("country").annotate(n=Count("pk")).order_by("-n"))
    total = sum(n for _code, n in counts)
    with translation.override(language):
        by_country = [
            {
                "name": names.get(code) or _("Country not given"),
                "count": n,
                "share": round(100 * n / total, 1) if total else 0,
            }
            for code, n in counts
        ]
    context = {
        "package": package,
        "action": action,
        "language": language,
        "title": action.title(language),
        "version": action.version(language),
        "targets": action.targets(language),
        "organiser": action.organiser(language),
        "opened": action.opened_at(),
        "closed": action.closed_at(),
        "today": timezone.localdate(),
        "total": total,
        "country_total": len([code for code, _n in counts if code]),
        "by_country": by_country,
        "csv_name": csv_name,
        "names_cap": NAMES_CAP,
    }
    if action.is_petition:
        context.update(petition_figures(action, signatures, total, language))
    if action.is_petition and package.include_names:
        # Erased signatures still count, but have no name left to list; counted-only ones
        # never had one kept.
        signers = (
            exported_signatures(action)
            .exclude(name="")
            .order_by("created_at", "pk")
            .values_list("name", "country")
        )
        # No-break spaces keep each name, and each country, on one line.
        listed = [
            (name.replace(" ", NBSP), names.get(code, "").replace(" ", NBSP))
            for name, code in signers[:NAMES_CAP]
        ]
        context["signers"] = bool(listed)
        context["signer_groups"] = [listed[i : i + 100] for i in range(0, len(listed), 100)]
        context["signers_capped"] = total > NAMES_CAP
    if not action.is_petition:
        context["signatories"] = list(Endorsement.objects.numbered(action.obj))
        context["networks"] = list(action.obj.networks())
    return context


def petition_figures(action, signatures, total: int, language: str) -> dict:
    """The numbers behind the total, for the target to check: by visibility, the time range
    the counted signatures were made in, and what was left out and why (in aggregate)."""
    levels = dict(signatures.values_list("visibility").annotate(n=Count("pk")).order_by())
    span = signatures.aggregate(first=Min("created_at"), last=Max("created_at"))
    left_out = dict(
        action.all_signatures()
        .exclude(status=Signature.Status.CONFIRMED)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    with translation.override(language):
        by_visibility = [
            {"label": str(label), "count": levels.get(value, 0)}
            for value, label in Visibility.choices
        ]
    return {
        "by_visibility": by_visibility,
        "count_only": levels.get(Visibility.COUNT, 0),
        "named_total": total - levels.get(Visibility.COUNT, 0),
        "first_signed": span["first"],
        "last_signed": span["last"],
        "confirmed_by_email": action.obj.double_opt_in,
        "invalidated": left_out.get(Signature.Status.INVALIDATED, 0),
        "unconfirmed": left_out.get(Signature.Status.PENDING, 0),
    }


def package_html(package, csv_name: str = "") -> str:
    context = package_context(package, csv_name)
    with translation.override(package.language):
        context["bidi"] = translation.get_language_bidi()
        return render_to_string("delivery/package_pdf.html", context)


def booklet_html(package) -> str:
    """The approved messages of support, oldest first, each with the signer's first name
    (none for a signer counted only) and country: what the targets are handed."""
    action = package.action
    names = country_names(package.language)
    approved = (
        SupportMessage.objects.filter(petition=action.obj)
        .for_hand_over()
        .select_related("signature")
        .order_by("created_at", "pk")
    )
    total = approved.count()
    messages = [
        {
            "text": message.text,
            "language": message.language,
            "first_name": message.first_name,
            "country": names.get(message.signature.country.code, ""),
        }
        for message in approved[:BOOKLET_CAP]
    ]
    context = {
        "title": action.title(package.language),
        "organiser": action.organiser(package.language),
        "language": package.language,
        "messages": messages,
        "total": total,
        "capped": total > BOOKLET_CAP,
        "today": timezone.localdate(),
    }
    with translation.override(package.language):
        context["bidi"] = translation.get_language_bidi()
        return render_to_string("delivery/booklet_pdf.html", context)


def write_pdf(html: str, path: Path) -> None:
    # Imported here: WeasyPrint is slow to import and logs every layout step at INFO.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    no_fetching = URLFetcher(allowed_protocols=[])
    partial = path.with_name(path.name + ".part")
    HTML(string=html, url_fetcher=no_fetching).write_pdf(partial)
    partial.replace(path)


def write_package_pdf(package, path: Path, csv_name: str = "") -> None:
    write_pdf(package_html(package, csv_name), path)


def write_booklet_pdf(package, path: Path) -> None:
    write_pdf(booklet_html(package), path)
