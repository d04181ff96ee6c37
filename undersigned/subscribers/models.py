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


class Update(models.Model):
    """An email staff write once and send to their organisation's subscribers, or to the
    opted-in signers of one of its petitions: each person once, in their language."""

    class Audience(models.TextChoices):
        SUBSCRIBERS = "subscribers", _("The organisation's subscribers")
        SIGNERS = "signers", _("The signers of one petition who asked for updates")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="updates",
        verbose_name=_("organisation"),
    )
    audience = models.CharField(
        _("to"), max_length=16, choices=Audience.choices, default=Audience.SUBSCRIBERS
    )
    petition = models.ForeignKey(
        "petitions.Petition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("petition"),
        help_text=_("Only for the signers of one petition."),
    )
    response = models.ForeignKey(
        "delivery.TargetResponse",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("target's response"),
        help_text=_("The response this update tells the signers about."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("sending started at"), null=True, editable=False)
    finished_at = models.DateTimeField(_("sending finished at"), null=True, editable=False)

    organisation_path = "organisation"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("update email")
        verbose_name_plural = _("update emails")
        permissions = [("send_update", _("Can send an update email"))]

    def __str__(self) -> str:
        text = self.text_in(settings.LANGUAGE_CODE)
        return text.subject if text else f"#{self.pk}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.audience == self.Audience.SIGNERS and not self.petition_id:
            raise ValidationError({"petition": _("Choose the petition whose signers get it.")})
        if self.audience == self.Audience.SUBSCRIBERS and self.petition_id:
            raise ValidationError({"petition": _("Leave this empty for the subscribers.")})
        both_chosen = self.petition_id and self.organisation_id
        if both_chosen and self.petition.organiser_id != self.organisation_id:
            raise ValidationError({"petition": _("Choose a petition of this organisation.")})

    def text_in(self, language: str) -> "UpdateText | None":
        texts = {text.language: text for text in self.texts.all()}
        return (
            texts.get(language)
            or texts.get(settings.LANGUAGE_CODE)
            or next(iter(texts.values()), None)
        )

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class UpdateText(models.Model):
    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=20_000, help_text=_("Markdown."))

    organisation_path = "update__organisation"

    class Meta:
        ordering = ["language"]
        verbose_name = _("text")
        verbose_name_plural = _("texts")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "language"], name="update_one_text_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.language})"


class Recipient(models.Model):
    """One person an update goes to: the claim that makes a repeated or resumed send reach
    each address once (unique per update and address digest), and the record of how it went.
    The address itself stays encrypted where it lives (the subscription or the signature)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SENT = "sent", _("Sent")
        REFUSED = "refused", _("Refused by the mail server")
        BOUNCED = "bounced", _("Bounced")
        SKIPPED = "skipped", _("No longer held (unsubscribed or erased)")

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="recipients")
    email_digest = models.CharField(max_length=64)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signature = models.ForeignKey(
        "petitions.Signature", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    organisation_path = "update__organisation"

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "email_digest"], name="update_once_per_address"
            )
        ]
        indexes = [models.Index(fields=["update", "status"], name="recipient_update_status")]

    def __str__(self) -> str:
        return f"{self.update_id}/{self.pk}"
