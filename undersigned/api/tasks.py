"""Webhook deliveries on the task worker: at least once, retried with growing delays."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    from . import webhooks
    from .models import WebhookDelivery

    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return "gone"
    if delivery.endpoint.paused_at is not None:
        return "paused"  # kept pending: resuming the endpoint sends it
    delivery.attempts += 1
    try:
        webhooks.send(delivery)
    except webhooks.DeliveryFailed as error:
        delays = settings.WEBHOOK_RETRY_SECONDS
        final = delivery.attempts > len(delays)
        webhooks.record_failure(delivery, error, final)
        if not final:
            run_after = timezone.now() + timedelta(seconds=delays[delivery.attempts - 1])
            deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
        return "failed"
    webhooks.record_success(delivery)
    return "delivered"
