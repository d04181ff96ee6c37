"""Signed webhooks, following Standard Webhooks: each event becomes one delivery row per
subscribed endpoint (in the transaction that made the change), then a task POSTs it with
`webhook-id`, `webhook-timestamp` and `webhook-signature` (v1: base64 HMAC-SHA256 of
"<id>.<timestamp>.<body>" under the endpoint's secret)."""

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.audit.models import record
from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Signature, Visibility
from undersigned.staff.models import Membership
from undersigned.staff.roles import ORGANISATION_ADMIN
from undersigned.workers.events import savepoint

from .destinations import RefusedDestination, post
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
ENDPOINTS_CACHE_SECONDS = 30


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# Queueing


def endpoints_for(organisation_id: int) -> list[tuple[int, list[str]]]:
    """(id, events) of the organisation's active endpoints: cached, as every confirmed
    signature asks."""
    key = f"webhooks:endpoints:{organisation_id}"
    try:
        found = cache.get(key)
    except Exception:  # the cache is down: ask the database
        logger.exception("Webhook endpoints cache unavailable")
        found = None
    if found is None:
        found = list(
            WebhookEndpoint.objects.filter(
                organisation_id=organisation_id, paused_at__isnull=True
            ).values_list("pk", "events")
        )
        with contextlib.suppress(Exception):
            cache.set(key, found, ENDPOINTS_CACHE_SECONDS)
    return found


def forget_endpoints(organisation_id: int) -> None:
    cache.delete(f"webhooks:endpoints:{organisation_id}")


def queue_event(event: str, organisation_id: int, refs: dict) -> None:
    """The events listener: one delivery row per endpoint that asked for this event, in the
    caller's transaction. The worker's dispatcher hands the rows to tasks (queue_due), so
    an event is never lost between a commit and its task."""
    chosen = [pk for pk, events in endpoints_for(organisation_id) if event in events]
    if not chosen:
        return
    with savepoint():
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                endpoint_id=pk, message_id=f"msg_{uuid.uuid4().hex}", event=event, refs=refs
            )
            for pk in chosen
        )


OUTBOX_BATCH = 500


def queue_due() -> int:
    """Hand up to OUTBOX_BATCH new deliveries to the task worker; how many were handled."""
    from .tasks import deliver_webhook

    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.filter(queued=False)
            .select_for_update(skip_locked=True)  # two workers take different rows
            .order_by("pk")
            .values_list("pk", flat=True)[:OUTBOX_BATCH]
        )
        for pk in due:
            deliver_webhook.enqueue(pk)
        WebhookDelivery.objects.filter(pk__in=due).update(queued=True)
    return len(due)


def due() -> tuple[int, object]:
    found = WebhookDelivery.objects.filter(queued=False).aggregate(
        n=Count("pk"), at=Min("created_at")
    )
    return found["n"], found["at"]


# What is sent


def payload(delivery: WebhookDelivery) -> dict:
    return {
        "type": delivery.event,
        "timestamp": delivery.created_at,
        "data": event_data(delivery.event, delivery.refs, delivery.endpoint),
    }


def event_data(event: str, refs: dict, endpoint: WebhookEndpoint) -> dict:
    if event.startswith(("signature.", "subscriber.")):
        return signature_data(event, refs, endpoint)
    if event == "endorsement.approved":
        endorsement = Endorsement.objects.select_related("letter").filter(pk=refs["endorsement"])
        endorsement = endorsement.first()
        if endorsement is None:
            return {"endorsement": refs["endorsement"]}
        return {
            "endorsement": endorsement.pk,
            "letter": endorsement.letter.slug,
            "name": endorsement.name,
            "country": str(endorsement.country or ""),
        }
    return {"kind": refs["kind"], "slug": refs["slug"], "state": event.split(".")[1]}


def signature_data(event: str, refs: dict, endpoint: WebhookEndpoint) -> dict:
    rows = Signature.objects.select_related("petition")
    if "signature" in refs:
        signature = rows.filter(pk=refs["signature"]).first()
    else:  # a signature counted at once is inserted without reading its id back
        signature = rows.filter(
            petition_id=refs["petition"], email_digest=refs["email_digest"]
        ).first()
    if signature is None:
        return {"signature": refs.get("signature"), "petition": refs.get("petition_slug", "")}
    data = {
        "signature": signature.pk,
        "petition": signature.petition.slug,
        "country": str(signature.country),
        "erased": signature.erased_at is not None,
    }
    counted_only = signature.visibility == Visibility.COUNT  # sent to no partner
    if (
        endpoint.personal_data
        and not counted_only
        and signature.erased_at is None
        and event != "signature.erased"
        and readable_by(signature, endpoint.organisation_id)
    ):
        data.update({"name": signature.name, "email": signature.email})
        data.update(consent_for(signature, endpoint.organisation_id))
    return data


def readable_by(signature: Signature, organisation_id: int) -> bool:
    """The organiser reads its signers; a co-host only those who opted in to it, while it
    still co-hosts (asked again when sent: it may have been removed since)."""
    if signature.petition.organiser_id == organisation_id:
        return True
    return signature.shared_organisation() == organisation_id


def consent_for(signature: Signature, organisation_id: int) -> dict:
    """The consent given to the endpoint's organisation: a co-host's own, not the
    organiser's."""
    if signature.petition.organiser_id != organisation_id:
        return {
            "opt_in": True,
            "consent_text": signature.cohost_consent_text,
            "consent_version": signature.cohost_consent_version,
        }
    return {
        "opt_in": signature.opt_in,
        "consent_text": signature.consent_text,
        "consent_version": signature.consent_version,
    }


# Sending


class DeliveryFailed(Exception):
    pass


def send(delivery: WebhookDelivery) -> None:
    """POST the delivery once; DeliveryFailed on a network error, a timeout or a non-2xx."""
    endpoint = delivery.endpoint
    body = json.dumps(payload(delivery), cls=DjangoJSONEncoder).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.SITE_NAME} webhooks",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, delivery.message_id, timestamp, body),
    }
    delivery.last_status_code = None
    try:
        status = post(endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except RefusedDestination as error:
        raise DeliveryFailed(f"refused: {error}") from None
    except TimeoutError:
        raise DeliveryFailed("timed out") from None
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryFailed(str(error)[:300] or error.__class__.__name__) from None
    delivery.last_status_code = status
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")


def record_success(delivery: WebhookDelivery) -> None:
    delivery.status = WebhookDelivery.Status.DELIVERED
    delivery.delivered_at = timezone.now()
    delivery.last_error = ""
    delivery.save()
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failures=0)


def record_failure(delivery: WebhookDelivery, error: Exception, final: bool) -> None:
    delivery.last_error = str(error)[:300]
    if final:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        endpoint.failures += 1
        pause = endpoint.paused_at is None and endpoint.failures >= settings.WEBHOOK_PAUSE_AFTER
        if pause:
            endpoint.paused_at = timezone.now()
        endpoint.save(update_fields=["failures", "paused_at"])
    if pause:
        forget_endpoints(endpoint.organisation_id)
        tell_admins(endpoint)


def tell_admins(endpoint: WebhookEndpoint) -> None:
    """The organisation's admins hear that its endpoint was paused (and why)."""
    addresses = list(
        Membership.objects.filter(
            organisation_id=endpoint.organisation_id, role__slug=ORGANISATION_ADMIN
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not addresses:
        return
    subject = _("Webhook endpoint paused: %(name)s") % {"name": endpoint.name}
    body = _(
        "After %(count)s failed deliveries in a row, %(site)s has paused the webhook endpoint "
        "“%(name)s” (%(url)s). Nothing more is sent to it until an organisation admin "
        "resumes it in the back office, where each delivery's last error is shown."
    ) % {
        "count": endpoint.failures,
        "site": settings.SITE_NAME,
        "name": endpoint.name,
        "url": endpoint.url,
    }
    send_mail(subject, body, None, addresses)


def resume(endpoint: WebhookEndpoint, user) -> bool:
    """Send again to a paused endpoint: what waited for it is queued now."""
    from .tasks import deliver_webhook

    with transaction.atomic():
        resumed = WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=False).update(
            paused_at=None, failures=0
        )
        if not resumed:
            return False
        record(user, "webhook_endpoint.resumed", endpoint)
        waiting = list(
            endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        for pk in waiting:
            deliver_webhook.enqueue(pk)
    forget_endpoints(endpoint.organisation_id)
    return True
