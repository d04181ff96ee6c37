"""Co-hosted actions (docs/partners.md): partner organisations promoting a petition or a
letter with their own link (`?source=<code>`), their name on the page, and their own
opt-in line for the people who came through that link.

`CoHosting` is the abstract model each kind fills in (`petitions.CoHost`, `letters.CoHost`);
the rows a co-host may read of an action's signers are decided by `opted_in_to`, one rule
for both kinds: the signer ticked the co-host's line and the organisation still co-hosts
the action. A removed co-host loses its readers at once; the consent stays on the row (the
signer's record of what they agreed to), and so does the link to the co-host, so that an
erasure still reaches it as a tombstone (it may hold what it pulled while co-hosting).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from undersigned.organisations.models import Organisation

SOURCE_CLEANER = re.compile(r"[^a-z0-9_.-]+")
COHOST_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def sanitise_source(raw: str | None) -> str:
    """A `?source=` code: lower-case letters, digits, `_ . -`, at most 64 characters."""
    return SOURCE_CLEANER.sub("", (raw or "").lower())[:64]


class CoHosting(models.Model):
    """A partner organisation promoting one action. A concrete model adds the foreign key
    to its action (named by `action_field`) and its unique constraints."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("co-host")
    )
    code = models.CharField(
        _("source code"),
        max_length=64,
        blank=True,
        help_text=_(
            "The co-host's ?source= in its link: lower-case letters, digits, - _ and . "
            "Left empty, it is made from the organisation's slug."
        ),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    action_field = ""  # "petition" or "letter"

    class Meta:
        abstract = True
        ordering = ["added_at", "id"]
        verbose_name = _("co-host")
        verbose_name_plural = _("co-hosts")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def action(self):
        return getattr(self, self.action_field)

    def link(self, language: str) -> str:
        """The co-host's own address of the action."""
        return f"{self.action.public_url(language)}?source={self.code}"

    def signatures_through_link(self) -> int:
        return self.action.counted_signatures().filter(source=self.code).count()

    def signers_opted_in(self) -> int:
        """Counted signers who asked for the co-host's updates and may go to it."""
        signatures = self.action.counted_signatures()
        return signatures.filter(signatures.model.shared_with([self.organisation_id])).count()

    def clean(self) -> None:
        if not self.code and self.organisation_id:
            self.code = sanitise_source(self.organisation.slug)
        if not COHOST_CODE.match(self.code or ""):
            raise ValidationError(
                {"code": _("Use lower-case letters, digits, - _ and . only (at most 64).")}
            )
        action = getattr(self, self.action_field, None) if self.action_field else None
        if self.organisation_id and action and self.organisation_id == action.organiser_id:
            raise ValidationError(
                {"organisation": _("The organiser runs this action: it cannot co-host it.")}
            )

    # The co-host's own staff see that it co-hosts (read only), and its counts.
    @staticmethod
    def shared_with(organisation_ids) -> Q:
        return Q(organisation__in=organisation_ids)

    def shared_organisation(self) -> int | None:
        return self.organisation_id


def opted_in_to(
    cohosts: type[CoHosting], action_path: str, erased_field: str, organisation_ids
) -> Q:
    """The signers (of a model whose action is at `action_path` and whose co-host choice is
    its `cohost` field) who opted in to one of these organisations while it still co-hosts
    their action; and, whether or not it still does, those since erased (`erased_field` is
    set: nothing personal is left, and the tombstone tells the co-host to delete)."""
    still_cohosts = cohosts.objects.filter(
        **{cohosts.action_field: OuterRef(action_path)}, organisation=OuterRef("cohost")
    )
    erased = Q(**{f"{erased_field}__isnull": False})
    return Q(cohost__in=organisation_ids) & (Q(Exists(still_cohosts)) | erased)


def is_still_cohost(cohosts: type[CoHosting], action_id: int, organisation_id) -> bool:
    return (
        bool(organisation_id)
        and cohosts.objects.filter(
            **{f"{cohosts.action_field}_id": action_id}, organisation_id=organisation_id
        ).exists()
    )
