"""What we hold about one email address, as the signer sees it and downloads it."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from undersigned.delivery.tokens import make_token as unsubscribe_token
from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Signature


@dataclass
class Held:
    """One signature, with what it belongs to, in the reader's language."""

    signature: Signature
    title: str
    organiser: str
    petition_url: str
    visibility_form: object = None  # set by the page that shows it

    @property
    def unsubscribe_token(self) -> str:
        return unsubscribe_token(self.signature.pk)


def held_under(email_digest: str) -> list[Held]:
    language = translation.get_language()
    signatures = (
        Signature.objects.filter(email_digest=email_digest)
        .held()
        .select_related("petition__organiser", "cohost")
        .prefetch_related("petition__texts")
        .order_by("-created_at", "-pk")
    )
    held = []
    for signature in signatures:
        petition = signature.petition
        text = petition.text_in(language)
        held.append(
            Held(
                signature=signature,
                title=text.title if text else petition.slug,
                organiser=petition.organiser.name_in(language),
                petition_url=petition.get_absolute_url(),
            )
        )
    return held


def endorsements_under(email_digest: str) -> list[Endorsement]:
    """The endorsements whose contact is this address (their contact not yet erased)."""
    return list(
        Endorsement.objects.filter(
            contact_email_digest=email_digest, contact_erased_at__isnull=True
        )
        .select_related("letter")
        .order_by("-created_at", "-pk")
    )


def as_json(held: list[Held], endorsements: list[Endorsement] = ()) -> dict:
    """The download: every field we hold, as stored (dates in ISO 8601, UTC)."""

    def moment(value):
        return value.isoformat() if value else None

    return {
        "site": settings.SITE_URL,
        "generated_at": timezone.now().isoformat(),
        "email": address_of(held, endorsements) or None,
        "signatures": [
            {
                "petition": {
                    "title": item.title,
                    "organiser": item.organiser,
                    "url": settings.SITE_URL + item.petition_url,
                },
                "name": item.signature.name,
                "email": item.signature.email,
                "country": item.signature.country.code,
                "language": item.signature.language,
                "status": item.signature.status,
                "visibility": item.signature.visibility,
                "signed_at": moment(item.signature.created_at),
                "confirmed_at": moment(item.signature.confirmed_at),
                "wants_updates_by_email": item.signature.opt_in,
                "consent_text": item.signature.consent_text,
                "consent_version": item.signature.consent_version,
                "updates_from_cohost": str(item.signature.cohost)
                if item.signature.cohost
                else None,
                "cohost_consent_text": item.signature.cohost_consent_text,
                "cohost_consent_version": item.signature.cohost_consent_version,
                "source": item.signature.source,
                "email_domain": item.signature.email_domain,
                "ip_hash": item.signature.ip_hash,
            }
            for item in held
        ],
        "endorsement_contacts": [
            {
                "letter": {
                    "title": e.letter.title,
                    "url": settings.SITE_URL + e.letter.get_absolute_url(),
                },
                "organisation": e.name,
                "contact_name": e.contact_name,
                "contact_email": e.contact_email,
                "language": e.language,
                "status": e.status,
                "consent": e.consent,
                "added_at": moment(e.created_at),
            }
            for e in endorsements
        ],
    }


def address_of(held: list[Held], endorsements) -> str:
    if held:
        return held[0].signature.email
    return endorsements[0].contact_email if endorsements else ""


def subscriptions_as_json(email_digest: str) -> list[dict]:
    from undersigned.subscribers.models import Subscription

    def moment(value):
        return value.isoformat() if value else None

    return [
        {
            "organisation": subscription.organisation.name,
            "email": subscription.email,
            "name": subscription.name,
            "language": subscription.language,
            "status": subscription.status,
            "signed_up_on": subscription.source,
            "consent_text": subscription.consent_text,
            "consent_version": subscription.consent_version,
            "asked_at": moment(subscription.created_at),
            "confirmed_at": moment(subscription.confirmed_at),
            "unsubscribed_at": moment(subscription.unsubscribed_at),
            "unsubscribed_via": subscription.unsubscribed_via,
        }
        for subscription in Subscription.objects.filter(email_digest=email_digest)
        .select_related("organisation")
        .order_by("pk")
    ]
