"""What petitions and sign-on letters have in common: one action, run by one organisation,
moving through one lifecycle (draft, open, closed, delivered).

`Action` is the abstract model both inherit. Code that does not care which kind it holds
(the home page, delivery, the admin, the lifecycle) uses only what is defined here.
"""

from datetime import datetime

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from undersigned.organisations.models import Organisation


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    DELIVERED = "delivered", _("Delivered")


CLOSED_STATES = (State.CLOSED, State.DELIVERED)


class Action(models.Model):
    """A petition or a letter. Its state is written only by `undersigned.actions.lifecycle`."""

    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("organiser"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # "petition" or "letter": names the kind in audit codes ("petition.closed") and URLs.
    kind: str = ""

    class Meta:
        abstract = True

    # The interface each kind fills in

    @property
    def public_state(self) -> str:
        """What visitors see (an open petition past its closing date is closed)."""
        return self.state

    @property
    def is_public(self) -> bool:
        return self.public_state != State.DRAFT

    def title_in(self, language: str) -> str:
        raise NotImplementedError

    def has_text_in(self, language: str) -> bool:
        """Written in `language` (not only shown in another one)."""
        raise NotImplementedError

    def languages_missing(self, required: list[str]) -> list[str]:
        """Of the `required` languages, those the action is not yet written in."""
        return [language for language in required if not self.has_text_in(language)]

    def organiser_in(self, language: str) -> str:
        return self.organiser.name_in(language)

    def public_url(self, language: str) -> str:
        raise NotImplementedError

    def counted_signatures(self) -> QuerySet:
        """The signatures that count: confirmed signatures, approved endorsements."""
        raise NotImplementedError

    def all_signatures(self) -> QuerySet:
        """Every signature whatever its status (for progress)."""
        raise NotImplementedError

    def opened_at(self) -> datetime | None:
        return self.created_at

    def forget_cached_pages(self) -> None:
        """Drop every cached copy of the public pages and signing data."""

    def state_changed(self, fields: dict) -> None:
        """Called by the lifecycle, inside its transaction, after the state is written."""

    def lifecycle_fields(self, state: str, now: datetime) -> dict:
        """Fields of this kind that change with the state (written in the same UPDATE)."""
        return {}

    @classmethod
    def due_to_close(cls) -> QuerySet:
        """Open actions whose closing date has passed."""
        return cls.objects.none()
