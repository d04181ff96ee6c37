from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.petitions.models import Petition


class InvalidationBatch(models.Model):
    """Signatures that staff set aside at once as abuse (one client, one email domain or one
    source in a time window): taken out of the count, kept, and restorable as they were.

    The primary keys are kept by the status each signature had, so that restoring gives
    every one its own status back (and the count only the confirmed ones)."""

    class Dimension(models.TextChoices):
        IP_HASH = "ip_hash", _("one client address (hashed)")
        EMAIL_DOMAIN = "email_domain", _("one email domain")
        SOURCE = "source", _("one source")

    organisation_path = "petition__organiser"

    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        related_name="invalidation_batches",
        verbose_name=_("petition"),
    )
    dimension = models.CharField(_("what they shared"), max_length=20, choices=Dimension.choices)
    value = models.CharField(_("value"), max_length=64)
    since = models.DateTimeField(_("signed from"))
    until = models.DateTimeField(_("signed until"))
    reason = models.TextField(_("reason"), max_length=1000)
    confirmed_ids = models.JSONField(_("confirmed signatures"), default=list, editable=False)
    pending_ids = models.JSONField(_("unconfirmed signatures"), default=list, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invalidated by"),
    )
    created_at = models.DateTimeField(_("invalidated at"), auto_now_add=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restored by"),
    )
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["petition", "-created_at"], name="invalidation_petition")]
        verbose_name = _("invalidated batch of signatures")
        verbose_name_plural = _("invalidated batches of signatures")

    def __str__(self) -> str:
        return f"{self.petition} · {self.get_dimension_display()} · {self.size}"

    @property
    def size(self) -> int:
        return len(self.confirmed_ids) + len(self.pending_ids)

    @property
    def signature_ids(self) -> list[int]:
        return sorted(self.confirmed_ids + self.pending_ids)
