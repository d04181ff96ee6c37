"""The only write paths for subscriptions: asking, confirming and unsubscribing.

Asking again answers exactly as the first time (the page cannot tell who is subscribed):
a new or unsubscribed address is sent a confirmation link, a pending one the link again,
and a confirmed one nothing.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from undersigned.protection.crypto import email_digest

from .consent import CONSENT_VERSION, consent_text
from .models import Subscription


@dataclass
class SignUp:
    organisation: object
    email: str
    name: str
    language: str
    source: str = ""


def subscribe(sign_up: SignUp) -> None:
    from .tasks import send_confirmation

    digest = email_digest(sign_up.email)
    consent = {
        "consent_text": consent_text(
            sign_up.organisation.name_in(sign_up.language), sign_up.language
        ),
        "consent_version": CONSENT_VERSION,
    }
    fields = {
        "email": sign_up.email.strip(),
        "name": sign_up.name.strip(),
        "language": sign_up.language,
        "source": sign_up.source[:120],
        **consent,
    }
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(organisation=sign_up.organisation, email_digest=digest)
            .first()
        )
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        organisation=sign_up.organisation, email_digest=digest, **fields
                    )
            except IntegrityError:  # the same address, at the same moment: one row wins
                return
        elif subscription.status == Subscription.Status.CONFIRMED:
            return
        elif subscription.status == Subscription.Status.UNSUBSCRIBED:
            Subscription.objects.filter(pk=subscription.pk).update(
                status=Subscription.Status.PENDING, **fields
            )
        send_confirmation.enqueue(subscription.pk)


def confirm(subscription_pk: int) -> Subscription | None:
    """Pending becomes confirmed (harmless when already done); None when the row is gone."""
    Subscription.objects.filter(pk=subscription_pk, status=Subscription.Status.PENDING).update(
        status=Subscription.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    return Subscription.objects.filter(pk=subscription_pk).first()


def unsubscribe(subscription_pk: int, via: str) -> Subscription | None:
    """Stop this organisation's updates to this address, recording when and how."""
    Subscription.objects.filter(pk=subscription_pk).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(
        status=Subscription.Status.UNSUBSCRIBED,
        unsubscribed_at=timezone.now(),
        unsubscribed_via=via,
    )
    return Subscription.objects.select_related("organisation").filter(pk=subscription_pk).first()


def erase(email_digest_value: str) -> int:
    """The my-data page's erasure: the rows go, nothing is kept of the address."""
    deleted, _ = Subscription.objects.filter(email_digest=email_digest_value).delete()
    return deleted
