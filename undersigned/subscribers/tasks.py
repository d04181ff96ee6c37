from django.conf import settings
from django.utils import translation
from django_tasks import task

from undersigned.emails.my_data import my_data_url
from undersigned.emails.sending import TRANSIENT_ERRORS, retry_later, send_once
from undersigned.pages.confirmations import make_token

from .tokens import list_headers


@task(takes_context=True)
def send_confirmation(context, subscription_id: int, attempt: int = 0) -> bool:
    """The double opt-in link. Keyed by the task, so a task run twice sends once, while a
    second sign-up (a new task) sends the link again."""
    from django.urls import reverse

    from .models import Subscription

    subscription = (
        Subscription.objects.select_related("organisation")
        .filter(pk=subscription_id, status=Subscription.Status.PENDING)
        .first()
    )
    if subscription is None:
        return False
    language = subscription.language
    with translation.override(language):
        confirm_url = settings.SITE_URL + reverse(
            "confirm", args=[make_token("subscription", subscription.pk)]
        )
    email_context = {
        "name": subscription.name,
        "organisation": subscription.organisation.name_in(language),
        "confirm_url": confirm_url,
        "consent": subscription.consent_text,
        "confirmation_days": settings.CONFIRMATION_DAYS,
        "my_data_url": my_data_url(subscription.email_digest, language),
    }
    try:
        return send_once(
            f"task:{context.task_result.id}",
            "subscribers/email/confirm",
            subscription.email,
            language,
            email_context,
            headers=list_headers(subscription.pk, language),
        )
    except TRANSIENT_ERRORS as error:
        retry_later(send_confirmation, (subscription_id,), attempt, error)
        return False
