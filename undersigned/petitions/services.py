"""Signing a petition: the only write path for signatures."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from undersigned.audit.models import record
from undersigned.organisations.models import Organisation
from undersigned.protection.crypto import email_digest, normalise_email
from undersigned.workers import events

from . import tasks
from .consent import COHOST_OPT_IN_VERSION, OPT_IN_VERSION, cohost_opt_in_text, opt_in_text
from .models import Petition, Signature, SupportMessage, Visibility


class PetitionClosed(Exception):
    pass


def sign_petition(
    petition: Petition,
    *,
    name: str,
    email: str,
    country: str,
    opt_in: bool,
    language: str,
    source: str = "",
    ip_hash: str = "",
    needs_confirmation: bool = False,
    visibility: str = Visibility.TARGET,
    message: str = "",
    cohost_opt_in: bool = False,
    cohost: Organisation | None = None,
) -> None:
    """Record a signature, or notice a repeat. Either way the caller answers the same.

    The signature's row is also its email's outbox (`email_due`, see outbox.py), so a
    signature waiting for confirmation is a single INSERT: saved whole or not at all, with
    no transaction to open. A signature counted at once adds its count in the same
    transaction. A message of support (only where the petition takes them) is a second row,
    written in the same transaction as the signature; a repeat adds no message.

    `cohost` is the co-host whose link the signer used; with `cohost_opt_in` their consent
    to its updates is recorded (never for a signer counted only: the form refuses that).
    """
    if not petition.is_open:
        raise PetitionClosed
    address = normalise_email(email)
    confirmed = not (petition.double_opt_in or needs_confirmation)
    now = timezone.now()
    if not cohost_opt_in or visibility == Visibility.COUNT:
        cohost = None
    signature = Signature(
        petition=petition,
        name="" if visibility == Visibility.COUNT else name,  # counted only: no name kept
        visibility=visibility,
        email=address,
        email_digest=email_digest(address),
        country=country,
        language=language,
        status=Signature.Status.CONFIRMED if confirmed else Signature.Status.PENDING,
        confirmed_at=now if confirmed else None,
        opt_in=opt_in,
        consent_text=opt_in_text(petition.organiser.name_in(language), language) if opt_in else "",
        consent_version=OPT_IN_VERSION if opt_in else "",
        source=source,
        cohost=cohost,
        cohost_consent_text=cohost_opt_in_text(cohost.name_in(language), language)
        if cohost
        else "",
        cohost_consent_version=COHOST_OPT_IN_VERSION if cohost else "",
        ip_hash=ip_hash,
        created_at=now,
        email_due=True,
    )
    message = message if petition.messages_enabled else ""
    try:
        if confirmed or message:
            with transaction.atomic():
                inserted = Signature.objects.insert(signature)
                if inserted and message:
                    add_message(signature, message)
                if inserted and confirmed:
                    petition.add_to_count()
                    # the co-host came from the petition's current co-hosts (the form)
                    for organisation_id in [
                        petition.organiser_id,
                        *([cohost.pk] if cohost else []),
                    ]:
                        events.emit(
                            "signature.confirmed",
                            organisation_id,
                            petition=petition.pk,
                            email_digest=signature.email_digest,
                        )
        elif transaction.get_connection().in_atomic_block:
            # inside a caller's transaction (a test's), a savepoint keeps a duplicate from
            # spoiling it; on its own the INSERT needs no transaction at all
            with transaction.atomic():
                inserted = Signature.objects.insert(signature)
        else:
            inserted = Signature.objects.insert(signature)
    except IntegrityError:
        # The insert comes first, so a duplicate fails before anything else is written and
        # no savepoint is needed on the common path. Any other integrity failure re-raises.
        with transaction.atomic():
            if not notice_repeat(petition, address):
                raise
    else:
        if not inserted:  # closed since the cached copy of the petition was read
            raise PetitionClosed


def add_message(signature: Signature, text: str) -> SupportMessage:
    """The message of a signature just inserted (the INSERT reads back no key: find it by
    its petition and email digest, the unique pair)."""
    signature_id = Signature.objects.values_list("pk", flat=True).get(
        petition_id=signature.petition_id, email_digest=signature.email_digest
    )
    return SupportMessage.objects.create(
        signature_id=signature_id,
        petition_id=signature.petition_id,
        text=text,
        language=signature.language,
        created_at=signature.created_at,
    )


def notice_repeat(petition: Petition, address: str) -> bool:
    """If the address has signed before, tell its owner (at most daily), never the visitor."""
    signature = Signature.objects.filter(
        petition=petition, email_digest=email_digest(address)
    ).first()
    if signature is None:
        return False
    # While its first email has not left, that email tells the owner all a notice would.
    if not signature.email_due and signature.claim_duplicate_notice():
        tasks.send_repeat_notice.enqueue(signature.pk)
    return True


def recount(petition: Petition, user) -> int:
    """Rebuild the count from the signatures themselves (a full scan), on the record."""
    with transaction.atomic():
        shown = petition.signature_count()
        total = petition.recount()
        record(user, "petition.recounted", petition, shown=shown, counted=total)
    return total


def review_messages(messages, status: str, user) -> int:
    """Approve or reject messages of support, each on the record; the pages that show them
    are dropped from the cache. Returns how many changed."""
    changed = 0
    slugs = set()
    with transaction.atomic():
        for message in messages.select_related("petition").exclude(status=status):
            updated = SupportMessage.objects.filter(pk=message.pk).exclude(status=status)
            if updated.update(status=status, reviewed_at=timezone.now(), reviewed_by=user):
                record(user, f"support_message.{status}", message, petition=message.petition.slug)
                slugs.add(message.petition.slug)
                changed += 1
    for slug in slugs:
        Petition(slug=slug).forget_cached_pages()
    return changed
