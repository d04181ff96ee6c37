"""Staff accounts' places in organisations: a membership gives an account one ready-made
role in one organisation (see roles.py), and the access gate (access.py) reads them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.organisations.models import Organisation


class Role(models.Model):
    """A ready-made bundle of permissions a member holds in one organisation (made by a
    migration: viewer, campaigner, data officer, organisation admin)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("what it may do"), blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    permissions = models.ManyToManyField(
        "auth.Permission", blank=True, verbose_name=_("permissions")
    )

    class Meta:
        ordering = ["rank"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(_(self.name))


class Membership(models.Model):
    """A staff account's place in one organisation: it sees and changes that organisation's
    actions and signers with the permissions of its role, and nothing of any other's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("account"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, verbose_name=_("role"))
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.organisation})"


class SignInDevice(models.Model):
    """A browser a staff account signed in from (known by a random token in a long-lived
    cookie, stored here only as a digest): a sign-in from a new one is emailed to the owner."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_devices"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    browser = models.CharField(_("browser"), max_length=200, blank=True)
    first_seen_at = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last sign-in"), auto_now=True)

    class Meta:
        verbose_name = _("sign-in device")
        verbose_name_plural = _("sign-in devices")

    def __str__(self) -> str:
        return f"{self.user} ({self.browser[:40]})"
