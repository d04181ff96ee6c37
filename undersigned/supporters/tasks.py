"""Background work for signers' data. Tasks take primary keys or digests, never addresses."""

from django.conf import settings
from django_tasks import task

from undersigned.emails.sending import send_templated_email


@task()
def erase_expired_signer_data() -> int:
    """Daily: queue the erasure of every petition whose retention has run out."""
    from . import services

    petitions = services.expired_petitions()
    for petition in petitions:
        erase_petition_signer_data.enqueue(petition.pk)
    erase_expired_endorsement_contacts.enqueue()
    return len(petitions)


@task()
def erase_expired_endorsement_contacts() -> int:
    from . import services

    return services.erase_expired_endorsement_contacts()


@task()
def erase_petition_signer_data(petition_id: int) -> int:
    from . import services

    return services.erase_expired_petition(petition_id)


@task()
def send_my_data_link(email_digest: str, language: str) -> bool:
    """Email a fresh "see or erase my data" link to the address behind this digest, if any
    signature still holds it (the address is read from there: the queue never holds it)."""
    from undersigned.emails.my_data import my_data_url
    from undersigned.petitions.models import Signature

    signature = (
        Signature.objects.filter(email_digest=email_digest)
        .held()
        .only("email", "email_digest")
        .order_by("-created_at")
        .first()
    )
    address = signature.email if signature is not None else ""
    if not address:  # perhaps the contact of an endorsement
        from undersigned.letters.models import Endorsement

        endorsement = Endorsement.objects.filter(
            contact_email_digest=email_digest, contact_erased_at__isnull=True
        ).first()
        address = endorsement.contact_email if endorsement is not None else ""
    if not address:
        from undersigned.subscribers.models import Subscription

        subscription = Subscription.objects.filter(email_digest=email_digest).first()
        address = subscription.email if subscription is not None else ""
    if not address:
        return False
    context = {
        "my_data_url": my_data_url(email_digest, language),
        "days": settings.MY_DATA_LINK_DAYS,
    }
    send_templated_email("supporters/email/my_data_link", address, language, context)
    return True
