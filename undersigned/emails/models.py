from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.protection.crypto import EncryptedTextField


class OutboxMessage(models.Model):
    """An email kept in the local outbox (the embedded default) instead of being sent."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    to = EncryptedTextField(_("to"))
    subject = models.CharField(_("subject"), max_length=500)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("local outbox")

    def __str__(self) -> str:
        return self.subject


class SentEmail(models.Model):
    """One row per email-sending task that finished sending: a task run again (after a
    worker crash) finds it and does not send twice."""

    key = models.CharField(max_length=100, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
