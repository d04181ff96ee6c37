"""The only write paths for deliveries, packages, update emails and unsubscribing.

Each staff workflow writes the shared audit log in the same transaction as the change, and
queues its background work in that transaction too (the task queue is a database table, so
the row and its task are saved together or not at all).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from undersigned.audit.models import record
from undersigned.petitions.models import Signature
from undersigned.workers import events

from . import tasks
from .actions import ActionRef
from .files import delete_package_folder
from .models import Delivery, DeliveryPhoto, DeliveryText, Package


class NotDeliverable(Exception):
    """Only a closed (or already delivered) action can be delivered or packaged."""


@dataclass
class PhotoUpload:
    image: object
    alt_text: str
    alt_text_ar: str = ""
    credit: str = ""


@dataclass
class DeliveryDetails:
    delivered_on: date
    method: str
    texts: dict[str, tuple[str, str]]  # language -> (delivered to, public note)
    photos: list[PhotoUpload] = field(default_factory=list)


def lock(action: ActionRef) -> ActionRef:
    """The action read afresh, its row held until the transaction ends: two staff recording
    at once queue up instead of both writing."""
    model = type(action.obj)
    return ActionRef.of(model.objects.select_for_update(no_key=True).get(pk=action.pk))


def record_delivery(
    action: ActionRef, details: DeliveryDetails, user, *, send_updates: bool = False
) -> Delivery:
    """Record (or correct) the delivery; the action becomes "delivered" in the same
    transaction. With `send_updates`, opted-in signers are emailed the news, once."""
    with transaction.atomic():
        action = lock(action)
        if not action.is_deliverable:
            raise NotDeliverable
        values = {"delivered_on": details.delivered_on, "method": details.method}
        delivery, created = Delivery.objects.update_or_create(
            **action.fk(), defaults=values, create_defaults={**values, "recorded_by": user}
        )
        for language, (recipients, note) in details.texts.items():
            if recipients.strip() or note.strip():
                DeliveryText.objects.update_or_create(
                    delivery=delivery,
                    language=language,
                    defaults={"recipients": recipients.strip(), "note": note.strip()},
                )
            else:
                DeliveryText.objects.filter(delivery=delivery, language=language).delete()
        start = delivery.photos.count()
        for position, photo in enumerate(details.photos, start=start):
            DeliveryPhoto.objects.create(
                delivery=delivery,
                position=position,
                image=photo.image,
                alt_text=photo.alt_text,
                translated_alt_text={"ar": photo.alt_text_ar} if photo.alt_text_ar else {},
                credit=photo.credit,
            )
        action.mark_delivered(user)
        record(
            user,
            "delivery.recorded" if created else "delivery.changed",
            action.obj,
            delivered_on=details.delivered_on.isoformat(),
            method=details.method,
            photos_added=len(details.photos),
        )
        if send_updates:
            queue_updates(delivery, user)
    return delivery


def queue_updates(delivery: Delivery, user) -> bool:
    """Queue the update email to every signer who opted in. Once per delivery: a second call
    changes nothing (and each address is emailed at most once in any case)."""
    if not delivery.petition_id:
        return False
    with transaction.atomic():
        claimed = Delivery.objects.filter(pk=delivery.pk, updates_queued_at__isnull=True).update(
            updates_queued_at=timezone.now()
        )
        if not claimed:
            return False
        record(user, "update_email.queued", delivery.petition)
        tasks.queue_update_emails.enqueue(delivery.pk)
    return True


def request_package(
    action: ActionRef,
    *,
    kind: str,
    language: str,
    include_names: bool,
    user,
    include_messages: bool = False,
) -> Package:
    if not action.is_deliverable:
        raise NotDeliverable
    with transaction.atomic():
        package = Package.objects.create(
            **action.fk(),
            kind=kind,
            language=language,
            include_names=include_names and action.is_petition,
            include_messages=include_messages
            and action.is_petition
            and kind == Package.Kind.HANDOVER,
            requested_by=user,
        )
        record(
            user,
            "package.requested",
            action.obj,
            package=package.pk,
            kind=kind,
            language=language,
        )
        result = tasks.build_package.enqueue(package.pk)
        Package.objects.filter(pk=package.pk).update(task_id=str(result.id))
    return package


def record_download(package: Package, which: str, user) -> None:
    kind = "staff-csv" if package.kind == Package.Kind.EMAILS else f"handover-{which}"
    record(user, "package.downloaded", package, kind=kind, file=which)


def delete_package_files(package: Package, user) -> bool:
    """Remove a finished package's files (an export with email addresses should not linger)."""
    with transaction.atomic():
        deleted = Package.objects.filter(
            pk=package.pk, status__in=[Package.Status.DONE, Package.Status.FAILED]
        ).update(status=Package.Status.DELETED, csv_file="", pdf_file="", booklet_file="")
        if deleted:
            record(user, "package.deleted", package, kind=package.kind)
    if deleted:
        delete_package_folder(package)
    return bool(deleted)


def unsubscribe(signature_pk: int) -> bool:
    """Stop update emails to this address from this organiser (what the signer opted into:
    "this campaign and other actions by <organiser>"). True when the signature exists."""
    signature = (
        Signature.objects.filter(pk=signature_pk)
        .select_related("petition")
        .only("email_digest", "petition__organiser_id")
        .first()
    )
    if signature is None:
        return False
    unsubscribed = Signature.objects.filter(
        email_digest=signature.email_digest,
        petition__organiser_id=signature.petition.organiser_id,
        opt_in=True,
    ).update(opt_in=False)
    if unsubscribed:
        events.emit(
            "subscriber.unsubscribed", signature.petition.organiser_id, signature=signature_pk
        )
    return True
