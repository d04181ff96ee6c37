"""People who asked an organisation for its updates by email: one list per organisation.

A subscription is pending until its owner clicks the emailed link (double opt-in), then
confirmed; unsubscribing keeps the row, marked with when and how, so that the organisation
can show it stopped writing. The address is encrypted at rest and found by its keyed digest.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.organisations.models import Organisation
from undersigned.protection.crypto import EncryptedEmailField, EncryptedTextField


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the emailed confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Via(models.TextChoices):
        EMAIL_LINK = "email-link", _("The link in an email")
        ONE_CLICK = "one-click", _("The mail program's unsubscribe button")
        MY_DATA = "my-data", _("The my-data page")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("organisation"),
    )
    email = EncryptedEmailField(_("email"))
    email_digest = models.CharField(max_length=64, editable=False)
    name = EncryptedTextField(_("name"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("signed up on"), max_length=120, blank=True)
    consent_text = models.TextField(_("consent text"))
    consent_version = models.CharField(_("consent version"), max_length=20)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    unsubscribed_via = models.CharField(
        _("unsubscribed through"), max_length=16, choices=Via.choices, blank=True
    )

    organisation_path = "organisation"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email_digest"], name="one_subscription_per_address"
            )
        ]
        indexes = [models.Index(fields=["email_digest"], name="subscription_digest")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_status_display()}"
