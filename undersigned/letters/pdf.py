"""The letter with its full signatory list as a PDF, in the letter's own language.

WeasyPrint lays out the HTML with HarfBuzz, so Arabic is shaped and runs right to left.
It may load nothing from outside: the fonts are the system's (Noto Naskh Arabic, DejaVu Sans).
"""

import logging

from django.core.cache import cache
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import translation

from .models import Endorsement, Letter, meaningful_country_total

CACHE_SECONDS = 24 * 3600


def letter_html(letter: Letter) -> str:
    signatories = list(Endorsement.objects.numbered(letter))
    with translation.override(letter.language):
        return render_to_string(
            "letters/pdf.html",
            {
                "letter": letter,
                "language": letter.language,
                "bidi": translation.get_language_bidi(),
                "signatories": signatories,
                "total": len(signatories),
                "country_total": meaningful_country_total(signatories),
                "networks": list(letter.networks()),
                "targets": letter.targets.all(),
            },
        )


def letter_pdf(letter: Letter) -> bytes:
    """Rendering takes a second or two for a long list, so the PDF is cached until the letter
    or its list of approved signatories changes."""
    key = f"letters:pdf:{letter.pk}:{version(letter)}"
    pdf = cache.get(key)
    if pdf is None:
        # Imported here: WeasyPrint is slow to import and logs every layout step at INFO.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        no_fetching = URLFetcher(allowed_protocols=[])
        pdf = HTML(string=letter_html(letter), url_fetcher=no_fetching).write_pdf()
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def version(letter: Letter) -> str:
    listed = letter.signatories().aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    stamps = [letter.updated_at, letter.original.updated_at, listed["last"]]
    return "-".join(str(value.timestamp() if value else 0) for value in stamps) + (
        f"-{listed['n']}-{listed['top']}"
    )
