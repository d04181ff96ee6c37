"""Delivery of an action to its targets, hand-over packages, and the update email to signers.

A delivery, a package and the proxies below belong to one action: a petition or a sign-on
letter (always the original letter, never a translation). Two nullable foreign keys and a
check constraint say which, on SQLite and PostgreSQL alike.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from undersigned.letters.models import Letter
from undersigned.petitions.models import Petition
from undersigned.petitions.photos import AbstractPhoto

ONE_ACTION = Q(petition__isnull=False, letter__isnull=True) | Q(
    petition__isnull=True, letter__isnull=False
)


class ForOneAction(models.Model):
    """Belongs to exactly one petition or one letter; `action` gives it as an ActionRef."""

    organisation_path = ("petition__organiser", "letter__organiser")

    class Meta:
        abstract = True

    @property
    def action(self):
        from .actions import ActionRef

        return ActionRef.of(self.petition if self.petition_id else self.letter)


class Delivery(ForOneAction):
    """The hand-over of an action to those it is addressed to: one per action."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        EMAIL = "email", _("By email")
        POST = "post", _("By post")
        ONLINE = "online", _("Through an online form")
        OTHER = "other", _("Another way")

    petition = models.OneToOneField(
        Petition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery",
        verbose_name=_("petition"),
    )
    letter = models.OneToOneField(
        Letter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery",
        verbose_name=_("sign-on letter"),
    )
    delivered_on = models.DateField(_("delivered on"))
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updates_queued_at = models.DateTimeField(
        _("update email queued at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.CheckConstraint(condition=ONE_ACTION, name="delivery_one_action")]
        permissions = [("send_updates", _("Can email signers the news of a delivery"))]

    def __str__(self) -> str:
        return f"{self.action} ({self.delivered_on})"

    def text_in(self, language: str) -> "DeliveryText | None":
        """The texts in `language`, else in the action's original language, else any."""
        texts = {text.language: text for text in self.texts.all()}
        return (
            texts.get(language)
            or texts.get(self.action.original_language)
            or next(iter(texts.values()), None)
        )

    def recipients_in(self, language: str) -> str:
        """To whom, as staff wrote it in `language`, else the action's targets."""
        text = next((t for t in self.texts.all() if t.language == language), None)
        if text and text.recipients:
            return text.recipients
        targets = self.action.targets(language)
        if targets:
            return "; ".join(targets)
        fallback = self.text_in(language)
        return fallback.recipients if fallback else ""


class DeliveryText(models.Model):
    """What the public page says about a delivery, in one language."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    recipients = models.CharField(
        _("delivered to"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty to name the action's targets."),
    )
    note = models.TextField(_("public note"), max_length=5000, blank=True, help_text=_("Markdown."))

    class Meta:
        ordering = ["language"]
        verbose_name = _("delivery text")
        verbose_name_plural = _("delivery texts")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "language"], name="delivery_one_text_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} ({self.language})"


class DeliveryPhoto(AbstractPhoto):
    variants_folder = "delivery/photos"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="delivery/photos/original/")

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("delivery photo")
        verbose_name_plural = _("delivery photos")


class Package(ForOneAction):
    """A hand-over package (PDF and CSV) or a staff export with email addresses, built by a
    background task into the private storage, which is never served publicly. The row shows progress."""

    class Kind(models.TextChoices):
        HANDOVER = "handover", _("Hand-over package: PDF and CSV, without email addresses")
        EMAILS = "emails", _("CSV with email addresses, for staff only")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        DELETED = "deleted", _("Files deleted")

    class Step(models.TextChoices):
        CSV = "csv", _("Writing the CSV")
        PDF = "pdf", _("Laying out the PDF")
        BOOKLET = "booklet", _("Laying out the booklet of messages")

    petition = models.ForeignKey(
        Petition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("petition"),
    )
    letter = models.ForeignKey(
        Letter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("sign-on letter"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    include_names = models.BooleanField(_("list signers' names in the PDF"), default=False)
    include_messages = models.BooleanField(
        _("add a booklet of the approved messages of support"), default=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    step = models.CharField(_("step"), max_length=8, choices=Step.choices, blank=True)
    rows_written = models.BigIntegerField(_("rows written"), default=0)
    total_rows = models.BigIntegerField(_("rows in all"), null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    csv_method = models.CharField(max_length=12, blank=True, editable=False)
    csv_file = models.CharField(max_length=200, blank=True, editable=False)
    csv_bytes = models.BigIntegerField(default=0, editable=False)
    pdf_file = models.CharField(max_length=200, blank=True, editable=False)
    pdf_bytes = models.BigIntegerField(default=0, editable=False)
    booklet_file = models.CharField(max_length=200, blank=True, editable=False)
    booklet_bytes = models.BigIntegerField(default=0, editable=False)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hand-over package")
        verbose_name_plural = _("hand-over packages")
        constraints = [models.CheckConstraint(condition=ONE_ACTION, name="package_one_action")]
        indexes = [
            models.Index(fields=["petition", "-created_at"], name="package_petition"),
            models.Index(fields=["letter", "-created_at"], name="package_letter"),
        ]
        permissions = [("export_emails", _("Can export signers' email addresses"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.action} ({self.language})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, int(100 * self.rows_written / self.total_rows))


class UpdateEmail(models.Model):
    """One update email per delivery and address: the claim that makes a retried or repeated
    batch send nothing twice, and the record of when it went."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="update_emails")
    signature = models.ForeignKey(
        "petitions.Signature", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email_digest = models.CharField(max_length=64)
    claimed_by = models.CharField(max_length=64, blank=True)  # the task's id
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("update email")
        verbose_name_plural = _("update emails")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "email_digest"], name="update_email_once_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}/{self.signature_id}"


class PetitionAction(Petition):
    """Petitions as the staff's delivery area lists them (progress, packages, delivery)."""

    class Meta:
        proxy = True
        verbose_name = _("petition: progress and delivery")
        verbose_name_plural = _("petitions: progress and delivery")


class LetterAction(Letter):
    """Sign-on letters as the staff's delivery area lists them."""

    class Meta:
        proxy = True
        verbose_name = _("sign-on letter: progress and delivery")
        verbose_name_plural = _("sign-on letters: progress and delivery")


RESPONSE_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def validate_response_document(upload) -> None:
    """A PDF of at most 10 MB: the target's letter as it was received."""
    if upload.size > RESPONSE_DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The document is larger than 10 MB."))
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(5)
    upload.seek(position)
    if not upload.name.lower().endswith(".pdf") or head != b"%PDF-":
        raise ValidationError(_("Upload the document as a PDF file."))


class TargetResponse(models.Model):
    """What a target answered after the delivery: who, when, how, a summary in each language
    and, optionally, the document itself. An action may get several (one per target)."""

    class Method(models.TextChoices):
        LETTER = "letter", _("By letter")
        EMAIL = "email", _("By email")
        MEETING = "meeting", _("In a meeting")
        PUBLIC = "public", _("In a public statement")
        OTHER = "other", _("Another way")

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="responses", verbose_name=_("delivery")
    )
    responder = models.CharField(
        _("who answered"), max_length=200, help_text=_("For example: the UN Secretary-General.")
    )
    responded_on = models.DateField(_("answered on"))
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    document = models.FileField(
        _("document"),
        upload_to="delivery/responses/",
        blank=True,
        validators=[validate_response_document],
        help_text=_("Optional: the answer as a PDF file (at most 10 MB), shown publicly."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    organisation_path = ("delivery__petition__organiser", "delivery__letter__organiser")

    class Meta:
        ordering = ["-responded_on", "-pk"]
        verbose_name = _("target's response")
        verbose_name_plural = _("targets' responses")

    def __str__(self) -> str:
        return f"{self.responder} ({self.responded_on})"

    def clean(self):
        if self.responded_on and self.responded_on > timezone.localdate():
            raise ValidationError({"responded_on": _("This date is in the future.")})
        delivery = Delivery.objects.filter(pk=self.delivery_id).first()
        if delivery and self.responded_on and self.responded_on < delivery.delivered_on:
            raise ValidationError({"responded_on": _("An answer cannot come before the delivery.")})

    def summary_in(self, language: str) -> "TargetResponseText | None":
        texts = {text.language: text for text in self.texts.all()}
        return texts.get(language) or next(iter(texts.values()), None)


class TargetResponseText(models.Model):
    response = models.ForeignKey(TargetResponse, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    summary = models.TextField(_("summary"), max_length=5000, help_text=_("Markdown."))

    organisation_path = (
        "response__delivery__petition__organiser",
        "response__delivery__letter__organiser",
    )

    class Meta:
        ordering = ["language"]
        verbose_name = _("summary")
        verbose_name_plural = _("summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "language"], name="response_one_text_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id} ({self.language})"
