from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from undersigned.emails.my_data import my_data_url
from undersigned.emails.sending import (
    Email,
    retry_later,
    send_batch_once,
    send_once,
)
from undersigned.pages import confirmations

from . import consent
from .models import Endorsement


def consent_url(endorsement: Endorsement) -> str:
    with translation.override(endorsement.language):
        from django.urls import reverse

        path = reverse("letters:consent", kwargs={"token": consent.make_token(endorsement.pk)})
    return f"{settings.SITE_URL}{path}"


def contact_my_data_url(endorsement: Endorsement) -> str:
    digest = endorsement.contact_email_digest
    return my_data_url(digest, endorsement.language) if digest else ""


@task()
def send_endorsement_confirmation(endorsement_pk: int, attempt: int = 0) -> bool:
    """Email the contact a link to confirm the endorsement, once (under the endorsement's
    key) however often the task runs; a mail server that is away means a retry later."""
    endorsement = (
        Endorsement.objects.select_related("letter")
        .filter(pk=endorsement_pk, status=Endorsement.Status.PENDING_EMAIL)
        .first()
    )
    if endorsement is None or not endorsement.contact_email:
        return False
    token = confirmations.make_token("endorsement", endorsement.pk)
    with translation.override(endorsement.language):
        from django.urls import reverse

        path = reverse("confirm", kwargs={"token": token})
        letter = endorsement.letter.version_in(endorsement.language) or endorsement.letter
    email = Email(
        f"letters.endorsement-confirmation:{endorsement.pk}",
        "letters/emails/confirm_endorsement",
        endorsement.contact_email,
        endorsement.language,
        {
            "endorsement": endorsement,
            "letter": letter,
            "confirm_url": f"{settings.SITE_URL}{path}",
            "withdraw_url": consent_url(endorsement),
            "my_data_url": contact_my_data_url(endorsement),
            "days": settings.CONFIRMATION_DAYS,
        },
    )
    for failed in send_batch_once([email]).not_sent:
        retry_later(send_endorsement_confirmation, (endorsement_pk,), attempt, failed.error)
        return False
    Endorsement.objects.filter(pk=endorsement.pk, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=timezone.now()
    )
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
        context={
            "endorsement": endorsement,
            "letter": letter,
            "letter_url": letter_url,
            # a listed organisation can withdraw from a link in each of its emails
            "withdraw_url": consent_url(endorsement),
            "my_data_url": contact_my_data_url(endorsement),
        },
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


@task()
def send_consent_requests(endorsement_ids: list[int], attempt: int = 0) -> int:
    """The "confirm or withdraw" email to each organisation staff added or imported, in its
    language, over one connection; keyed per endorsement, so a retried task, or two
    workers, ask each organisation once."""
    now = timezone.now()
    claimable = Endorsement.objects.filter(
        pk__in=endorsement_ids,
        consent=Endorsement.Consent.ASKED,
        status=Endorsement.Status.APPROVED,
        contact_erased_at__isnull=True,
    )
    if attempt == 0:
        claimable.filter(consent_asked_at__isnull=True).update(consent_asked_at=now)
    emails = []
    for endorsement in claimable.select_related("letter__organiser").order_by("pk"):
        if not endorsement.contact_email:
            continue
        language = endorsement.language
        letter = endorsement.letter.version_in(language) or endorsement.letter
        context = {
            "endorsement": endorsement,
            "letter": letter,
            "organiser": endorsement.letter.organiser_in(language),
            "letter_lists_unconfirmed": endorsement.letter.show_unconfirmed,
            "consent_url": consent_url(endorsement),
            "my_data_url": contact_my_data_url(endorsement),
            "days": settings.ENDORSEMENT_LINK_DAYS,
        }
        key = f"letters.consent:{endorsement.pk}"
        emails.append(
            Email(
                key, "letters/emails/consent_request", endorsement.contact_email, language, context
            )
        )
    result = send_batch_once(emails)
    for failed in result.not_sent:
        ids = [int(email.key.rsplit(":", 1)[1]) for email in failed.emails]
        retry_later(send_consent_requests, (ids,), attempt, failed.error)
    return result.sent
