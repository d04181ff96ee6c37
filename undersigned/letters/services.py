"""The only write path for endorsing, confirming, moderating and importing endorsements.

Each staff workflow writes to the shared audit log in the same transaction as the change.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from undersigned.audit.models import record
from undersigned.organisations.models import Organisation
from undersigned.protection.crypto import email_digest
from undersigned.workers import events

from .cohosts import COHOST_OPT_IN_VERSION, cohost_opt_in_text
from .exports import endorsements_csv
from .importer import Preview
from .models import Endorsement, Letter, Network, normalise_name
from .pdf import drop_kept_pdfs, schedule_render

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
    source: str = ""
    cohost: Organisation | None = None  # the co-host the contact asked for updates from


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


def add_endorsement(
    letter: Letter, details: EndorsementDetails, user, language: str = ""
) -> Endorsement:
    """Staff add an endorsement they have verified themselves: listed at once (as added by
    the organiser), and its contact, if known, is asked to confirm or withdraw."""
    with transaction.atomic():
        endorsement = create_endorsement(
            letter,
            details,
            status=Status.APPROVED,
            reviewed_at=timezone.now(),
            position=next_position(letter),
            consent=consent_for(details.contact_email),
            language=language or letter.original.language,
        )
        record(user, "endorsement.added", endorsement, letter=letter.original.slug)
        ask_consent([endorsement])
    return endorsement


def consent_for(contact_email: str) -> str:
    return Endorsement.Consent.ASKED if contact_email else Endorsement.Consent.NOT_ASKED


def ask_consent(endorsements: list[Endorsement]) -> None:
    """Queue the "confirm or withdraw" email of each one with a contact (in the caller's
    transaction: the rows and their emails are saved together)."""
    from .tasks import send_consent_requests

    ids = [e.pk for e in endorsements if e.consent == Endorsement.Consent.ASKED]
    for start in range(0, len(ids), 100):
        send_consent_requests.enqueue(ids[start : start + 100])


def contact_given(endorsement: Endorsement) -> bool:
    """Staff gave a contact to an organisation listed without one: it is asked now, as if it
    had come with the list."""
    if not endorsement.contact_email or endorsement.status != Status.APPROVED:
        return False
    with transaction.atomic():
        asked = Endorsement.objects.filter(
            pk=endorsement.pk, consent=Endorsement.Consent.NOT_ASKED
        ).update(consent=Endorsement.Consent.ASKED)
        if asked:
            endorsement.consent = Endorsement.Consent.ASKED
            ask_consent([endorsement])
    return bool(asked)


def confirm_consent(pk: int) -> bool:
    """The organisation confirms from its email; True the first time, harmless after."""
    now = timezone.now()
    confirmed = (
        Endorsement.objects.filter(
            pk=pk, consent__in=[Endorsement.Consent.ASKED, Endorsement.Consent.NOT_ASKED]
        )
        .exclude(status=Status.WITHDRAWN)
        .update(consent=Endorsement.Consent.CONFIRMED, consent_answered_at=now, updated_at=now)
    )
    if confirmed:  # a letter listing only confirmed organisations now lists this one
        schedule_render(Endorsement.objects.select_related("letter").get(pk=pk).letter)
    return bool(confirmed)


def withdraw(pk: int) -> bool:
    """The organisation withdraws from its email: off the public list, its PDF and every
    package from now on. Once only (a used link changes nothing), on the record."""
    with transaction.atomic():
        endorsement = (
            Endorsement.objects.select_for_update()
            .filter(pk=pk)
            .exclude(status__in=[Status.WITHDRAWN, Status.REJECTED, Status.MERGED])
            .first()
        )
        if endorsement is None:
            return False
        now = timezone.now()
        # updated_at: partners pulling changes since a moment see the withdrawal too
        Endorsement.objects.filter(pk=pk).update(
            status=Status.WITHDRAWN, consent_answered_at=now, updated_at=now
        )
        if endorsement.status == Status.APPROVED:
            drop_kept_pdfs(endorsement.letter)
        record(
            None,
            "endorsement.retracted",
            endorsement,
            letter=endorsement.letter.slug,
            name=endorsement.name,
            was=endorsement.status,
        )
    return True


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
                **cohost_fields(details, fields.get("language") or letter.original.language),
                **fields,
            )
            endorsement.networks.set(details.networks)
    except IntegrityError as error:  # a twin request won the race
        raise DuplicateEndorsement from error
    return endorsement


def cohost_fields(details: EndorsementDetails, language: str) -> dict:
    """Where the endorsement came from, and the consent its contact gave a co-host, worded
    as they read it."""
    cohost = details.cohost
    return {
        "source": details.source,
        "cohost": cohost,
        "cohost_consent_text": cohost_opt_in_text(cohost.name_in(language), language)
        if cohost
        else "",
        "cohost_consent_version": COHOST_OPT_IN_VERSION if cohost else "",
    }


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
            tell_the_contact(endorsement)
            for organisation_id in endorsement.partners():
                events.emit("endorsement.approved", organisation_id, endorsement=endorsement.pk)
    return changed


def reject(endorsement: Endorsement, reason: str, user) -> bool:
    with transaction.atomic():
        changed = review(endorsement, Status.REJECTED, rejection_reason=reason)
        if changed:
            record(user, "endorsement.rejected", endorsement, reason=reason)
            tell_the_contact(endorsement)
    return changed


def tell_the_contact(endorsement: Endorsement) -> None:
    """Queue the email of staff's decision, in the same transaction as the decision."""
    from .tasks import send_endorsement_decision

    if endorsement.contact_email:
        send_endorsement_decision.enqueue(endorsement.pk)


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
    if updated:
        schedule_render(endorsement.letter)
    return bool(updated)


def letter_date(letter: Letter):
    """Midday of the letter's date line (in the site's time zone), or None without one."""
    dated = letter.original.dated
    if dated is None:
        return None
    moment = datetime.datetime.combine(dated, datetime.time(12))
    return timezone.make_aware(moment)


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
                    contact_name=row.contact_name,
                    contact_email=row.contact_email,
                    contact_email_digest=email_digest(row.contact_email)
                    if row.contact_email
                    else "",
                    language=row.language or letter.original.language,
                    consent=consent_for(row.contact_email),
                    status=Status.APPROVED,
                    reviewed_at=now,
                    position=start + index,
                )
                for index, row in enumerate(preview.new_rows)
            ]
        )
        if signed_on := letter_date(letter):  # they signed the letter then, not today
            Endorsement.objects.filter(pk__in=[e.pk for e in created]).update(created_at=signed_on)
            for endorsement in created:
                endorsement.created_at = signed_on
        Through = Endorsement.networks.through
        Through.objects.bulk_create(
            Through(endorsement_id=endorsement.pk, network_id=networks[marker].pk)
            for endorsement, row in zip(created, preview.new_rows, strict=True)
            for marker in row.markers
        )
        schedule_render(letter)
        ask_consent(created)
        record(
            user,
            "letter.imported",
            letter.original,
            imported=len(created),
            asked_to_confirm=sum(1 for e in created if e.consent == Endorsement.Consent.ASKED),
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
