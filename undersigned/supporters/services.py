"""The only write paths for a signer's erasure, retention erasure and invalidated batches.

Each writes the shared audit log in the same transaction as the change. Erasure works in
batches of primary keys, each its own transaction, and only touches rows not yet erased: a
run killed half-way is finished by the next, and two workers erasing at once erase each row
once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from undersigned.audit.models import record
from undersigned.delivery.models import UpdateEmail
from undersigned.letters.models import Endorsement, Letter
from undersigned.petitions import pagecache, tallies
from undersigned.petitions.models import ERASED_PREFIX, Petition, Signature, State, Visibility
from undersigned.subscribers import services as subscriptions
from undersigned.workers import events

from .models import InvalidationBatch

ERASE_BATCH = 1000
UPDATE_CHUNK = 500  # primary keys per `pk IN (…)`: well under SQLite's variable limit


def chunks(ids: list[int], size: int = UPDATE_CHUNK):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def erase_signatures(ids: list[int]) -> int:
    """Erase these signatures (Signature.erase, in one UPDATE per chunk) and the email
    digest the delivery app kept to send each address its update email once."""
    erased = 0
    for chunk in chunks(ids):
        owners = list(
            Signature.objects.filter(pk__in=chunk)
            .held()
            .values_list("pk", "petition__organiser_id", "cohost_id")
        )
        erased += Signature.objects.filter(pk__in=chunk).erase()
        # a co-host the signer opted in to hears of it too, even one removed since: it may
        # hold what it pulled while co-hosting (docs/partners.md, "Removing a co-host")
        for pk, organisation_id, cohost_id in owners:
            for told in [organisation_id, *([cohost_id] if cohost_id else [])]:
                events.emit("signature.erased", told, signature=pk)
        UpdateEmail.objects.filter(signature_id__in=chunk).exclude(
            email_digest__startswith=ERASED_PREFIX
        ).update(email_digest=Concat(Value(ERASED_PREFIX), Cast("pk", CharField())))
    return erased


# A signer's own erasure


def erase_signer(email_digest: str) -> int:
    """Everything held under this address goes. Unconfirmed signatures never counted, so
    they are deleted; the others are erased and stay counted. Returns how many."""
    with transaction.atomic():
        held = Signature.objects.filter(email_digest=email_digest).held()
        rows = list(held.select_for_update().values_list("pk", "status"))
        pending = [pk for pk, status in rows if status == Signature.Status.PENDING]
        kept = [pk for pk, status in rows if status != Signature.Status.PENDING]
        for chunk in chunks(pending):
            doomed = Signature.objects.filter(pk__in=chunk, status=Signature.Status.PENDING)
            tallies.days_changed(doomed)
            doomed.delete()
        shown = list(  # one signature per petition: a short list
            Petition.objects.filter(signatures__pk__in=kept, show_recent_signers=True)
            .values_list("slug", flat=True)
            .distinct()
        )
        erased = erase_signatures(kept)
        contacts = erase_endorsement_contacts(
            Endorsement.objects.filter(contact_email_digest=email_digest)
        )
        unsubscribed = subscriptions.erase(email_digest)
        if rows or contacts or unsubscribed:
            record(
                None,
                "signer.erased",
                None,
                erased=kept,
                deleted=pending,
                endorsement_contacts=contacts,
                subscriptions=unsubscribed,
            )
    for slug in shown:  # a cached page may list the signer among the latest: drop it
        pagecache.forget(slug)
    return len(pending) + erased + len(contacts) + unsubscribed


def erase_endorsement_contacts(endorsements) -> list[int]:
    """Erase the private contact (name, address, its digest) of these endorsements; the
    organisation stays listed. Returns the primary keys erased."""
    ids = list(endorsements.filter(contact_erased_at__isnull=True).values_list("pk", flat=True))
    for chunk in chunks(ids):
        Endorsement.objects.filter(pk__in=chunk, contact_erased_at__isnull=True).update(
            contact_name="",
            contact_email="",
            contact_email_digest="",
            contact_erased_at=timezone.now(),
        )
    return ids


def erase_expired_endorsement_contacts(now: datetime | None = None) -> int:
    """Endorsement contacts go RETENTION_DAYS after their letter closed, like signers' data."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    letters = Letter.objects.originals().filter(
        state__in=[State.CLOSED, State.DELIVERED], closed_at__lte=cutoff
    )
    erased = 0
    for letter in letters:
        with transaction.atomic():
            ids = erase_endorsement_contacts(Endorsement.objects.filter(letter=letter))
            if ids:
                record(
                    None,
                    "endorsement_contacts.erased",
                    letter,
                    erased=len(ids),
                    retention_days=settings.RETENTION_DAYS,
                )
        erased += len(ids)
    return erased


# A signer's own choice of who sees their name


def change_visibility(email_digest: str, signature_id: int, level: str, name: str = "") -> bool:
    """Set who may see the name on one of this address's signatures. Counted only drops
    the name; leaving it takes the name the signer typed again. False if the signature is
    not theirs (or erased): nothing changes."""
    with transaction.atomic():
        signature = (
            Signature.objects.filter(pk=signature_id, email_digest=email_digest)
            .held()
            .select_for_update()
            .select_related("petition")
            .first()
        )
        if signature is None:
            return False
        fields = {"visibility": level}
        if level == Visibility.COUNT:
            fields["name"] = ""
        elif name:
            fields["name"] = name
        Signature.objects.filter(pk=signature.pk).update(**fields)
        record(
            None,
            "signature.visibility_changed",
            signature.petition,
            signature=signature.pk,
            before=signature.visibility,
            after=level,
        )
    if signature.petition.show_recent_signers:  # a cached page may list (or miss) the name
        pagecache.forget(signature.petition.slug)
    return True


# Retention


def expired_petitions(now: datetime | None = None) -> list[Petition]:
    """Petitions whose signers' data is due for erasure and not yet erased (petitions are
    few: this reads them all, the signatures not at all)."""
    candidates = Petition.objects.exclude(state=State.DRAFT).filter(
        signer_data_erased_at__isnull=True
    )
    return [petition for petition in candidates if petition.signer_data_expired(now)]


def erase_expired_petition(petition_id: int) -> int:
    """Erase the signers' data of one petition whose retention has run out, in batches.
    Safe to run again, and on two workers at once. Returns how many this run erased."""
    petition = Petition.objects.filter(pk=petition_id).first()
    if petition is None or not petition.signer_data_expired():
        return 0
    erased = 0
    last_pk = 0
    held = Signature.objects.filter(petition_id=petition_id).held().order_by("pk")
    while ids := list(held.filter(pk__gt=last_pk).values_list("pk", flat=True)[:ERASE_BATCH]):
        with transaction.atomic():
            erased += erase_signatures(ids)
        last_pk = ids[-1]
    with transaction.atomic():
        if not held.exists():
            Petition.objects.filter(pk=petition_id, signer_data_erased_at__isnull=True).update(
                signer_data_erased_at=timezone.now()
            )
        if erased:
            record(
                None,
                "signer_data.erased",
                petition,
                erased=erased,
                retention_days=petition.retention,
                due=petition.signer_data_erase_at().isoformat(),
            )
    return erased


# Invalidated batches


class NothingToInvalidate(Exception):
    pass


def invalidate_batch(
    petition: Petition,
    *,
    dimension: str,
    value: str,
    since: datetime,
    until: datetime,
    reason: str,
    user,
) -> InvalidationBatch:
    """Set aside every counted or pending signature of `petition` sharing `value` in
    `dimension`, signed between `since` and `until`: out of the count, audited, restorable."""
    if dimension not in InvalidationBatch.Dimension.values or not value:
        raise NothingToInvalidate
    with transaction.atomic():
        rows = list(
            Signature.objects.filter(
                petition=petition,
                status__in=[Signature.Status.PENDING, Signature.Status.CONFIRMED],
                created_at__gte=since,
                created_at__lte=until,
                **{dimension: value},
            )
            .select_for_update()  # a signer confirming now waits, then finds it invalidated
            .order_by("pk")
            .values_list("pk", "status")
        )
        if not rows:
            raise NothingToInvalidate
        confirmed = [pk for pk, status in rows if status == Signature.Status.CONFIRMED]
        pending = [pk for pk, status in rows if status == Signature.Status.PENDING]
        for chunk in chunks(confirmed + pending):
            tallies.days_changed(Signature.objects.filter(pk__in=chunk))
            Signature.objects.filter(pk__in=chunk).update(status=Signature.Status.INVALIDATED)
        if confirmed:
            petition.add_to_count(-len(confirmed))
        batch = InvalidationBatch.objects.create(
            petition=petition,
            dimension=dimension,
            value=value,
            since=since,
            until=until,
            reason=reason,
            confirmed_ids=confirmed,
            pending_ids=pending,
            created_by=user,
        )
        record(
            user,
            "batch.invalidated",
            petition,
            batch=batch.pk,
            reason=reason,
            dimension=dimension,
            value=value,
            since=since.isoformat(),
            until=until.isoformat(),
            count=len(rows),
            uncounted=len(confirmed),
            ids=batch.signature_ids,
        )
    petition.forget_cached_count()
    return batch


def restore_batch(batch: InvalidationBatch, user) -> int:
    """Give every signature of the batch its status back (and the count its confirmed ones).
    Once only: a second call restores nothing. Returns how many came back."""
    with transaction.atomic():
        claimed = InvalidationBatch.objects.filter(pk=batch.pk, restored_at__isnull=True).update(
            restored_at=timezone.now(), restored_by=user
        )
        if not claimed:
            return 0
        restored = {}
        for status, ids in (
            (Signature.Status.CONFIRMED, batch.confirmed_ids),
            (Signature.Status.PENDING, batch.pending_ids),
        ):
            restored[status] = 0
            for chunk in chunks(ids):
                back = Signature.objects.filter(pk__in=chunk, status=Signature.Status.INVALIDATED)
                tallies.days_changed(back)
                restored[status] += back.update(status=status)
        if restored[Signature.Status.CONFIRMED]:
            batch.petition.add_to_count(restored[Signature.Status.CONFIRMED])
        total = sum(restored.values())
        record(
            user,
            "batch.restored",
            batch.petition,
            batch=batch.pk,
            count=total,
            counted_again=restored[Signature.Status.CONFIRMED],
            ids=batch.signature_ids,
        )
    batch.petition.forget_cached_count()
    batch.refresh_from_db()
    return total
