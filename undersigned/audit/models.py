import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.ownership import is_owned, organisation_of


class AuditEntry(models.Model):
    """What staff did, when, to what: append-only evidence, written in the same transaction
    as the change it records (see `record`)."""

    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("by")
    )
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # Whose staff may read it: the organisation the changed object belongs to (none for
    # site-wide events, which only operators see).
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )

    organisation_path = "organisation"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only.")


# "<object>.<past-tense verb>": petition.closed, package.downloaded, member.role_changed
CODE = re.compile(r"^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*ed$")


def record(user, action: str, target=None, *, organisation=None, **detail) -> AuditEntry:
    """Record a staff action; call it inside the transaction that makes the change.

    `action` is "<object>.<past-tense verb>". The entry belongs to `organisation`, else to
    the organisation of `target` (its model's `organisation_path`)."""
    if not CODE.match(action):
        raise ValueError(f"audit codes read <object>.<past-tense verb>, not {action!r}")
    if organisation is None and target is not None:
        organisation = organisation_of(target) if is_owned(type(target)) else None
    return AuditEntry.objects.create(
        organisation_id=getattr(organisation, "pk", organisation),
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "get_username", lambda: "system")(),
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:300] if target is not None else "",
        detail=detail,
    )
