"""Render an email from templates in the recipient's language and send it.

Called from background tasks only: never inside a request.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


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
