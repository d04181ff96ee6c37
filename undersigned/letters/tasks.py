from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from undersigned.emails.sending import send_once, send_templated_email
from undersigned.pages import confirmations

from .models import Endorsement


@task()
def send_endorsement_confirmation(endorsement_pk: int) -> bool:
    """Email the contact a link to confirm the endorsement. Skips endorsements already
    confirmed, reviewed or already emailed, so a retried task sends nothing twice."""
    endorsement = (
        Endorsement.objects.select_related("letter")
        .filter(
            pk=endorsement_pk,
            status=Endorsement.Status.PENDING_EMAIL,
            confirmation_sent_at__isnull=True,
        )
        .first()
    )
    if endorsement is None or not endorsement.contact_email:
        return False
    token = confirmations.make_token("endorsement", endorsement.pk)
    with translation.override(endorsement.language):
        from django.urls import reverse

        path = reverse("confirm", kwargs={"token": token})
        letter = endorsement.letter.version_in(endorsement.language) or endorsement.letter
    send_templated_email(
        "letters/emails/confirm_endorsement",
        to=endorsement.contact_email,
        language=endorsement.language,
        context={
            "endorsement": endorsement,
            "letter": letter,
            "confirm_url": f"{settings.SITE_URL}{path}",
            "days": settings.CONFIRMATION_DAYS,
        },
    )
    Endorsement.objects.filter(pk=endorsement.pk).update(confirmation_sent_at=timezone.now())
    return True


@task()
def render_letter_pdfs(letter_pk: int) -> int:
    """Render the PDF of a letter and of each of its translations that changed. Harmless to
    run twice: a PDF already of the current version is left as it is."""
    from .models import Letter
    from .pdf import refresh_pdf

    original = Letter.objects.filter(pk=letter_pk).first()
    if original is None:
        return 0
    versions = [original, *Letter.objects.filter(translation_of=original)]
    for letter in versions:
        refresh_pdf(letter)
    return len(versions)


DECISION_TEMPLATES = {
    Endorsement.Status.APPROVED: "letters/emails/endorsement_approved",
    Endorsement.Status.REJECTED: "letters/emails/endorsement_declined",
}


@task()
def send_endorsement_decision(endorsement_pk: int) -> bool:
    """Tell the endorsing organisation's contact what staff decided (with their reason for a
    refusal). Once per endorsement and decision, however often the task runs."""
    endorsement = Endorsement.objects.select_related("letter").filter(pk=endorsement_pk).first()
    if endorsement is None or endorsement.status not in DECISION_TEMPLATES:
        return False
    if not endorsement.contact_email:
        return False
    with translation.override(endorsement.language):
        letter = endorsement.letter.version_in(endorsement.language) or endorsement.letter
        letter_url = settings.SITE_URL + letter.get_absolute_url()
    return send_once(
        f"endorsement-decision:{endorsement.pk}:{endorsement.status}",
        DECISION_TEMPLATES[endorsement.status],
        to=endorsement.contact_email,
        language=endorsement.language,
        context={"endorsement": endorsement, "letter": letter, "letter_url": letter_url},
    )


@task()
def send_review_digests() -> int:
    """Once a day: each member who may moderate an organisation's endorsements is told how
    many wait for review on its letters (nothing is sent when none wait)."""
    from .digests import review_digests

    sent = 0
    for digest in review_digests(timezone.localdate()):
        sent += send_once(
            digest.key,
            "letters/emails/review_digest",
            to=digest.to,
            language=settings.LANGUAGE_CODE,
            context=digest.context,
        )
    return sent
