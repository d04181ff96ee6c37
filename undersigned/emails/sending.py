"""Render an email from templates in the recipient's language and send it.

Called from background tasks only: never inside a request.
"""

import logging
import smtplib
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    transaction,
)
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# Connection refused, timeouts, "451 try again later": worth another try, a while later.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
# The server refused this one message (a mailbox full, "451 try again later"); the
# connection still serves the next one.
ONE_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


def send_templated_email(
    template: str, to: str, language: str, context: dict, headers: dict | None = None
) -> None:
    """Send `<template>_subject.txt`, `<template>.txt` and `<template>.html` to one address."""
    templated_email(template, to, language, context, headers).send()


def templated_email(
    template: str, to: str, language: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
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
    return message


def send_once(key: str, template: str, to: str, language: str, context: dict, **kwargs) -> bool:
    """Send unless an email with this key (the task's id) was already sent."""
    from .models import SentEmail

    if SentEmail.objects.filter(key=key).exists():
        return False
    send_templated_email(template, to, language, context, **kwargs)
    record_sent(key)
    return True


@dataclass
class Email:
    key: str  # sent at most once under this key
    template: str
    to: str
    language: str
    context: dict
    headers: dict = field(default_factory=dict)


@dataclass
class NotSent:
    emails: list[Email]
    error: Exception


@dataclass
class BatchResult:
    sent: int = 0
    not_sent: list[NotSent] = field(default_factory=list)


def send_batch_once(emails: list[Email]) -> BatchResult:
    """Send each email whose key has not been sent yet, all over one connection to the mail
    server (a new connection per email would cost a handshake each, the bottleneck of a
    surge). What fails is returned for a retry: a message the server refused alone, or
    everything left if the connection failed. Each sent key is recorded the moment the
    server accepts it, so a worker killed mid-batch resends at most the one in flight."""
    from .models import SentEmail

    done = set(
        SentEmail.objects.filter(key__in=[e.key for e in emails]).values_list("key", flat=True)
    )
    waiting = [email for email in emails if email.key not in done]
    result = BatchResult()
    try:
        with get_connection() as connection:
            for number, email in enumerate(waiting):
                message = templated_email(
                    email.template, email.to, email.language, email.context, email.headers
                )
                try:
                    connection.send_messages([message])
                except ONE_MESSAGE_ERRORS as error:
                    result.not_sent.append(NotSent([email], error))
                    continue
                except TRANSIENT_ERRORS as error:
                    result.not_sent.append(NotSent(waiting[number:], error))
                    break
                record_sent(email.key)
                result.sent += 1
    except TRANSIENT_ERRORS as error:  # the connection could not be opened (or closed)
        if not result.sent and not result.not_sent:
            result.not_sent.append(NotSent(waiting, error))
    return result


def record_sent(key: str) -> None:
    """Record an email the server has accepted. It is out: a database that is restarting
    is waited for (up to SENT_RECORD_PATIENCE seconds) rather than failing the task, whose
    retry would send the email again."""
    deadline = time.monotonic() + settings.SENT_RECORD_PATIENCE
    wait = 0.25
    while True:
        try:
            insert_sent(key)
            return
        except IntegrityError:
            return  # another worker recorded it at the same moment: it is out either way
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            logger.warning("Sent email %s not recorded yet; retrying in %s s", key, wait)
            time.sleep(wait)
            wait = min(wait * 2, 5)
            close_old_connections()


def insert_sent(key: str) -> None:
    """One INSERT committed on its own (a batch records one per email sent); inside a
    caller's transaction, in a savepoint, so that a conflict does not spoil it."""
    from .models import SentEmail

    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            SentEmail.objects.create(key=key)
    else:
        SentEmail.objects.create(key=key)


def retry_later(task, args: tuple, attempt: int, error: Exception) -> None:
    """Queue the same task again after a growing delay; give up (and fail) after the last."""
    delays = settings.EMAIL_RETRY_DELAYS
    if attempt >= len(delays):
        raise error
    delay = delays[attempt]
    logger.warning("Email not sent (%s); retrying in %d s", error, delay)
    run_after = timezone.now() + timedelta(seconds=delay)
    task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
