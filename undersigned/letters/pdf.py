"""The letter with its full signatory list as a PDF, in the letter's own language.

WeasyPrint lays out the HTML with HarfBuzz, so Arabic is shaped and runs right to left.
It may load nothing from outside: the fonts are the system's (Noto Naskh Arabic, DejaVu Sans).

Laying out a long list takes seconds, so nobody waits for it: a task renders the PDF whenever
the letter or its list changes (see `schedule_render`) and keeps it in the private storage;
a download serves the last good one while a newer one is being made.
"""

import hashlib
import logging

from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import translation

from undersigned.storage import private_files, save_by_content

from .models import Endorsement, Letter, ReadyPdf, meaningful_country_total

logger = logging.getLogger(__name__)


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


def render_pdf(letter: Letter) -> bytes:
    # Imported here: WeasyPrint is slow to import and logs every layout step at INFO.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    no_fetching = URLFetcher(allowed_protocols=[])
    return HTML(string=letter_html(letter), url_fetcher=no_fetching).write_pdf()


def version(letter: Letter) -> str:
    listed = letter.signatories().aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    footnotes = repr(list(letter.networks().values_list()))
    stamps = [letter.updated_at, letter.original.updated_at, listed["last"]]
    return "-".join(str(value.timestamp() if value else 0) for value in stamps) + (
        f"-{listed['n']}-{listed['top']}-{hashlib.sha256(footnotes.encode()).hexdigest()[:16]}"
    )


def refresh_pdf(letter: Letter) -> ReadyPdf:
    """Render the letter's PDF unless the kept one is of its current version. The kept file
    is replaced only once the new one is stored: a failed render leaves the last good one."""
    current = version(letter)
    ready = ReadyPdf.objects.filter(letter=letter).first()
    if ready and ready.version == current:
        return ready
    data = render_pdf(letter)
    storage = private_files()
    name = save_by_content(storage, f"letters/{letter.pk}", data, ".pdf")
    ready, _created = ReadyPdf.objects.update_or_create(
        letter=letter, defaults={"version": current, "file": name, "size": len(data)}
    )
    for stale in storage.listdir(f"letters/{letter.pk}")[1]:
        if f"letters/{letter.pk}/{stale}" != name:
            storage.delete(f"letters/{letter.pk}/{stale}")
    return ready


def letter_pdf(letter: Letter) -> bytes:
    """The kept PDF, at once. When the letter changed since, the kept one is still served
    and a new one is asked for; only a letter never rendered is rendered in the request."""
    ready = ReadyPdf.objects.filter(letter=letter).first()
    if ready is not None and ready.version != version(letter):
        schedule_render(letter)
    try:
        if ready is not None:
            with private_files().open(ready.file, "rb") as kept:
                return kept.read()
    except FileNotFoundError:
        logger.warning("The kept PDF of letter %s is missing; rendering it again", letter.pk)
        ReadyPdf.objects.filter(pk=ready.pk).delete()
    ready = refresh_pdf(letter)
    with private_files().open(ready.file, "rb") as kept:
        return kept.read()


def drop_kept_pdfs(letter: Letter) -> None:
    """Forget the kept PDFs of a letter and its translations, and ask for new ones: for a
    name that must leave the PDF at once (a withdrawal), not after a stale download."""
    original = letter.original
    ReadyPdf.objects.filter(Q(letter=original) | Q(letter__translation_of=original)).delete()
    schedule_render(original)


def schedule_render(letter: Letter) -> None:
    """Ask for the PDFs of a public letter and its translations once the change commits."""
    original = letter.original
    if original.state == Letter.State.DRAFT:
        return
    from .tasks import render_letter_pdfs

    # robust: a PDF that cannot be asked for now is asked for at the next download
    transaction.on_commit(lambda: render_letter_pdfs.enqueue(original.pk), robust=True)
