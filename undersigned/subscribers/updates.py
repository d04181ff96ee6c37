"""Sending an update: who gets it, the test send, and the one write path that starts it.

Each person gets an update once: the recipients are claimed as rows unique per update and
address digest (someone subscribed and also a signer, or who signed twice, is one row), and
each email is sent under a key (`update:<update>:<recipient>`) that the batch sender records,
so that a batch run again after a crash or a retry skips what already went.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from undersigned.audit.models import record
from undersigned.delivery import tokens as signer_tokens
from undersigned.emails.my_data import my_data_url
from undersigned.emails.sending import Email
from undersigned.pages.markdown import render_markdown
from undersigned.petitions.models import Signature

from .models import Recipient, Subscription, Update, UpdateText
from .tokens import list_headers, unsubscribe_url

TEMPLATE = "subscribers/email/update"


def audience(update: Update):
    """(primary key, email digest) of everyone the update is for, as the database holds it now."""
    if update.audience == Update.Audience.SIGNERS:
        # An erased signature has lost its opt-in (and its address) already.
        return Signature.objects.filter(
            petition_id=update.petition_id, status=Signature.Status.CONFIRMED, opt_in=True
        )
    return Subscription.objects.filter(
        organisation_id=update.organisation_id, status=Subscription.Status.CONFIRMED
    )


def recipient_count(update: Update) -> int:
    return audience(update).values("email_digest").distinct().count()


def tally(update: Update) -> dict[str, int]:
    counts = dict(
        Recipient.objects.filter(update=update)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in Recipient.Status.values}


class NotADraft(Exception):
    """An update is sent once: a second press of the button changes nothing."""


def start_sending(update: Update, user) -> None:
    from .tasks import prepare_update

    with transaction.atomic():
        started = Update.objects.filter(pk=update.pk, status=Update.Status.DRAFT).update(
            status=Update.Status.SENDING, queued_at=timezone.now()
        )
        if not started:
            raise NotADraft
        record(user, "update.queued", update, recipients=recipient_count(update))
        prepare_update.enqueue(update.pk)


def update_for_response(response, user) -> tuple[Update, bool]:
    """The update that tells a petition's opted-in signers what its target answered: a
    draft written from the response in each language (staff preview, test and send it as
    any update), or the one already made for it, so that signers hear of it once. True when
    this call made it."""
    petition = response.delivery.petition
    with transaction.atomic():
        existing = Update.objects.select_for_update().filter(response=response).first()
        if existing is not None:
            return existing, False
        update = Update.objects.create(
            organisation_id=petition.organiser_id,
            audience=Update.Audience.SIGNERS,
            petition=petition,
            response=response,
            created_by=user,
        )
        for language, _name in settings.LANGUAGES:
            subject, body = response_text(response, petition, language)
            UpdateText.objects.create(update=update, language=language, subject=subject, body=body)
        record(user, "update.drafted", update, response=response.pk, petition=petition.slug)
    return update, True


def response_text(response, petition, language: str) -> tuple[str, str]:
    """The subject and the Markdown of the update about a response, in `language`."""
    with translation.override(language):
        title = petition.title_in(language)
        subject = _("%(responder)s answered our petition “%(title)s”") % {
            "responder": response.responder,
            "title": title,
        }
        summary = response.summary_in(language)
        lines = [
            _("On %(date)s, %(responder)s answered the petition you signed, “%(title)s”.")
            % {
                "date": formats.date_format(response.responded_on),
                "responder": response.responder,
                "title": title,
            },
            summary.summary if summary else "",
            _("Read the response on the petition's page: %(url)s")
            % {"url": settings.SITE_URL + petition.public_url(language) + "#response"},
        ]
        if response.document:
            lines.append(
                _("The answer itself (PDF): %(url)s") % {"url": absolute(response.document.url)}
            )
    return subject[:200], "\n\n".join(line for line in lines if line)


def absolute(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else settings.SITE_URL + url


def send_test(update: Update, user, language: str) -> None:
    from .tasks import send_test_update

    with transaction.atomic():
        record(user, "update.tested", update, language=language)
        send_test_update.enqueue(update.pk, user.pk, language)


def email_for(update: Update, recipient: Recipient) -> Email | None:
    """The email to one recipient, or None when its address is no longer held."""
    subscription, signature = recipient.subscription, recipient.signature
    if subscription is not None:
        if subscription.status != Subscription.Status.CONFIRMED or not subscription.email:
            return None
        address, name, language = subscription.email, subscription.name, subscription.language
        unsubscribe = unsubscribe_url(subscription.pk, language)
        headers = list_headers(subscription.pk, language)
    elif signature is not None and signature.email and signature.opt_in:
        address, name, language = signature.email, signature.name, signature.language
        with translation.override(language):
            unsubscribe = settings.SITE_URL + reverse(
                "delivery:unsubscribe", args=[signer_tokens.make_token(signature.pk)]
            )
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    else:
        return None
    context = email_context(update, language, name, unsubscribe, recipient.email_digest)
    key = f"update:{update.pk}:{recipient.pk}"
    return Email(key, TEMPLATE, address, language, context, headers)


def email_context(update: Update, language: str, name: str, unsubscribe: str, digest: str = ""):
    text = update.text_in(language)
    return {
        "name": name,
        "subject": text.subject if text else "",
        "body_html": render_markdown(text.body if text else ""),
        "body_text": text.body if text else "",
        "text_language": text.language if text else language,
        "organisation": update.organisation.name_in(language),
        "unsubscribe_url": unsubscribe,
        "my_data_url": my_data_url(digest, language) if digest else "",
        "to_signers": update.audience == Update.Audience.SIGNERS,
    }
