"""The only write path for endorsing, confirming, moderating and importing endorsements.

Each staff workflow writes to the shared audit log in the same transaction as the change.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from undersigned.audit.models import record
from undersigned.workers import events

from .exports import endorsements_csv
from .importer import Preview
from .models import Endorsement, Letter, Network, normalise_name

Status = Endorsement.Status


class DuplicateEndorsement(Exception):
    """The organisation (normalised name and country) is already on the letter."""


class LetterClosed(Exception):
    """The letter does not take endorsements from the public form."""


@dataclass
class EndorsementDetails:
    name: str
    country: str
    website: str
    contact_name: str
    contact_email: str
    authorised: bool
    networks: list[Network]


def endorse_letter(
    letter: Letter, details: EndorsementDetails, language: str, ip_hash: str = ""
) -> Endorsement:
    """A public endorsement: stored, then a confirmation email goes to the contact.

    The row and the queued email are saved in one transaction: both or neither, so that a
    database failure leaves nothing that would block the organisation from trying again.
    """
    from .tasks import send_endorsement_confirmation

    if not letter.accepts_endorsements:
        raise LetterClosed
    with transaction.atomic():
        endorsement = create_endorsement(
            letter, details, status=Status.PENDING_EMAIL, language=language, ip_hash=ip_hash
        )
        send_endorsement_confirmation.enqueue(endorsement.pk)
    return endorsement


def add_endorsement(letter: Letter, details: EndorsementDetails, user) -> Endorsement:
    """Staff add an endorsement they have verified themselves: listed at once."""
    with transaction.atomic():
        endorsement = create_endorsement(
            letter,
            details,
            status=Status.APPROVED,
            reviewed_at=timezone.now(),
            position=next_position(letter),
        )
        record(user, "endorsement.added", endorsement, letter=letter.original.slug)
    return endorsement


def create_endorsement(letter: Letter, details: EndorsementDetails, **fields) -> Endorsement:
    if Endorsement.objects.same_organisation(letter, details.name, details.country).exists():
        raise DuplicateEndorsement
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                letter=letter.original,
                name=details.name,
                country=details.country,
                website=details.website,
                contact_name=details.contact_name,
                contact_email=details.contact_email,
                authorised=details.authorised,
                **fields,
            )
            endorsement.networks.set(details.networks)
    except IntegrityError as error:  # a twin request won the race
        raise DuplicateEndorsement from error
    return endorsement


def next_position(letter: Letter) -> int:
    last = Endorsement.objects.filter(letter=letter.original).aggregate(last=Max("position"))
    return (last["last"] or 0) + 1


def confirm_endorsement(pk: int) -> Endorsement | None:
    """The contact clicked the emailed link. Harmless when already done."""
    Endorsement.objects.filter(pk=pk, status=Status.PENDING_EMAIL).update(
        status=Status.PENDING_REVIEW, confirmed_at=timezone.now()
    )
    return Endorsement.objects.select_related("letter").filter(pk=pk).first()


def approve(endorsement: Endorsement, user) -> bool:
    with transaction.atomic():
        changed = review(endorsement, Status.APPROVED, position=next_position(endorsement.letter))
        if changed:
            record(user, "endorsement.approved", endorsement, letter=endorsement.letter.slug)
            letter = endorsement.letter.original
            events.emit("endorsement.approved", letter.organiser_id, endorsement=endorsement.pk)
    return changed


def reject(endorsement: Endorsement, reason: str, user) -> bool:
    with transaction.atomic():
        changed = review(endorsement, Status.REJECTED, rejection_reason=reason)
        if changed:
            record(user, "endorsement.rejected", endorsement, reason=reason)
    return changed


def merge(duplicate: Endorsement, into: Endorsement, user) -> bool:
    """Keep `into`; `duplicate` leaves the list and points at it."""
    if duplicate.pk == into.pk or duplicate.letter_id != into.letter_id:
        return False
    with transaction.atomic():
        changed = review(duplicate, Status.MERGED, merged_into=into)
        if changed:
            record(user, "endorsement.merged", duplicate, into=into.pk, into_name=into.name)
    return changed


def review(endorsement: Endorsement, status: str, **fields) -> bool:
    """Move an endorsement still under review (or awaiting email) to `status`, atomically:
    two staff clicking at once change it once."""
    open_statuses = [Status.PENDING_EMAIL, Status.PENDING_REVIEW]
    if status != Status.APPROVED:
        open_statuses.append(Status.APPROVED)
    updated = Endorsement.objects.filter(pk=endorsement.pk, status__in=open_statuses).update(
        status=status, reviewed_at=timezone.now(), **fields
    )
    endorsement.refresh_from_db()
    return bool(updated)


def import_endorsements(letter: Letter, preview: Preview, user) -> list[Endorsement]:
    """Save the rows of a preview that are not duplicates, approved, in the list's order."""
    networks = {network.marker: network for network in letter.networks()}
    now = timezone.now()
    with transaction.atomic():
        start = next_position(letter)
        created = Endorsement.objects.bulk_create(
            [
                Endorsement(
                    letter=letter.original,
                    name=row.name,
                    normalised_name=normalise_name(row.name),  # bulk_create skips save()
                    country=row.country,
                    website=row.website,
                    status=Status.APPROVED,
                    reviewed_at=now,
                    position=start + index,
                )
                for index, row in enumerate(preview.new_rows)
            ]
        )
        Through = Endorsement.networks.through
        Through.objects.bulk_create(
            Through(endorsement_id=endorsement.pk, network_id=networks[marker].pk)
            for endorsement, row in zip(created, preview.new_rows, strict=True)
            for marker in row.markers
        )
        record(
            user,
            "letter.imported",
            letter.original,
            imported=len(created),
            duplicates_skipped=len(preview.duplicate_rows),
            unreadable=len(preview.problems),
        )
    return created


def export_contacts(endorsements, filename: str, user, letter: Letter | None = None):
    """The endorsements as CSV, contacts included: a personal-data export, on the record
    for each letter the rows come from before a row is written."""
    letters = [letter] if letter else Letter.objects.filter(endorsement__in=endorsements)
    with transaction.atomic():
        for each in set(letters):
            rows = endorsements.filter(letter=each).count()
            record(user, "endorsement_contacts.exported", each, rows=rows)
    return endorsements_csv(endorsements, filename)
