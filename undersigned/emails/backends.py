"""An email backend that keeps messages in the database, readable by staff at /admin/.

It is the embedded default, so a newcomer can follow every email without a mail server.
"""

from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .models import OutboxMessage

        for message in email_messages:
            html = next(
                (
                    body
                    for body, mimetype in getattr(message, "alternatives", [])
                    if mimetype == "text/html"
                ),
                "",
            )
            OutboxMessage.objects.create(
                to=", ".join(message.recipients()),
                subject=str(message.subject),
                text_body=str(message.body),
                html_body=str(html),
                headers={key: str(value) for key, value in message.extra_headers.items()},
            )
        return len(email_messages)
