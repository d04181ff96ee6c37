"""Organisation API keys: the secret is shown once, only its digest is kept."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from undersigned.organisations.models import Organisation


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """A key a partner's CRM or mailing tool uses to read (and, with the write scope, add
    to) one organisation's signers. Every use is in the audit log."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Who uses it, e.g. “CRM sync”."))
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    # The first characters of the key, shown to staff to tell keys apart and used to find
    # the row; the rest is only ever compared by digest.
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Leave empty for no expiry.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    organisation_path = "organisation"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def may_write(self) -> bool:
        return self.scope == self.Scope.WRITE
