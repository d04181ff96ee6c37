"""Render an email from templates in the recipient's language and send it.

Called from background tasks only: never inside a request.
"""

import contextlib
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# Connection refused, timeouts, "451 try again later": worth another try, a while later.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
RETRY_DELAYS = (60, 300, 900, 3600, 3 * 3600, 12 * 3600)


def send_templated_email(
    template: str, to: str, language: str, context: dict, headers: dict | None = None
) -> None:
    """Send `<template>_subject.txt`, `<template>.txt` and `<template>.html` to one address."""
    with translation.override(language):
        context = {
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "language": language,
            "bidi": translation.get_language_bidi(),
            **context,
        }
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send()


def send_once(key: str, template: str, to: str, language: str, context: dict, **kwargs) -> bool:
    """Send unless an email with this key (the task's id) was already sent."""
    from .models import SentEmail

    if SentEmail.objects.filter(key=key).exists():
        return False
    send_templated_email(template, to, language, context, **kwargs)
    with contextlib.suppress(IntegrityError):  # a second run finished at the same time
        SentEmail.objects.create(key=key)
    return True


def retry_later(task, args: tuple, attempt: int, error: Exception) -> None:
    """Queue the same task again after a growing delay; give up (and fail) after the last."""
    if attempt >= len(RETRY_DELAYS):
        raise error
    delay = RETRY_DELAYS[attempt]
    logger.warning("Email not sent (%s); retrying in %d s", error, delay)
    run_after = timezone.now() + timedelta(seconds=delay)
    task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
