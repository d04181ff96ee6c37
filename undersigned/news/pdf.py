"""A post as a PDF in one language ("Download as PDF"), laid out right to left in Arabic.

The same machinery as the letter's PDF (letters/pdf.py): WeasyPrint shapes Arabic with
HarfBuzz, uses the system's fonts and fetches nothing; the PDF is cached until the post
changes.
"""

import logging

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from .cards import action_cards

CACHE_SECONDS = 24 * 3600


def post_html(post, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "news/pdf.html",
            {
                "post": post,
                "text": post.text_in(language),
                "language": language,
                "bidi": translation.get_language_bidi(),
                "action_cards": action_cards(post, language),
            },
        )


def post_pdf(post, language: str) -> bytes:
    changed = max([post.updated_at, *(text.updated_at for text in post.texts.all())])
    key = f"news:pdf:{post.pk}:{language}:{changed.timestamp()}"
    pdf = cache.get(key)
    if pdf is None:
        # Imported here: WeasyPrint is slow to import and logs every layout step at INFO.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        no_fetching = URLFetcher(allowed_protocols=[])
        pdf = HTML(string=post_html(post, language), url_fetcher=no_fetching).write_pdf()
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
