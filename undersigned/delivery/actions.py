"""The action a delivery or a package belongs to, as this app sees it.

`ActionRef` wraps a petition or a letter (always the original letter: translations share
its signatories, state and delivery). What both kinds answer alike comes from their shared
interface (undersigned.actions.models.Action); `kind` remains for the few places where the
two really differ (only petitions have signers to email, and names to hand over).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse

from undersigned.actions import lifecycle
from undersigned.actions.models import CLOSED_STATES, Action
from undersigned.letters.models import Letter
from undersigned.petitions.models import Petition

PETITION = Petition.kind
LETTER = Letter.kind
KINDS = (PETITION, LETTER)
MODELS = {PETITION: Petition, LETTER: Letter}


@dataclass(frozen=True)
class ActionRef:
    obj: Action

    @classmethod
    def of(cls, obj) -> "ActionRef":
        if not isinstance(obj, Action):
            raise TypeError(f"not an action: {obj!r}")
        return cls(obj.original if isinstance(obj, Letter) else obj)

    def __str__(self) -> str:
        return str(self.obj)

    @property
    def kind(self) -> str:
        return self.obj.kind

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def slug(self) -> str:
        return self.obj.slug

    @property
    def is_petition(self) -> bool:
        return self.kind == PETITION

    def fk(self) -> dict:
        """Keyword arguments naming this action on a Delivery or a Package."""
        return {self.kind: self.obj}

    # What the public sees

    @property
    def state(self) -> str:
        return self.obj.public_state

    @property
    def is_deliverable(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def original_language(self) -> str:
        return self.obj.original_language if self.is_petition else self.obj.language

    def version(self, language: str):
        """The PetitionText, or the Letter version, to show in `language`."""
        if self.is_petition:
            return self.obj.text_in(language)
        return self.obj.version_in(language) or self.obj

    def title(self, language: str) -> str:
        return self.obj.title_in(language)

    def targets(self, language: str) -> list[str]:
        return [target.name_in(language) for target in self.obj.targets.all()]

    def organiser(self, language: str) -> str:
        return self.obj.organiser_in(language)

    def public_url(self, language: str) -> str:
        return self.obj.public_url(language)

    def staff_url(self) -> str:
        model = "petitionaction" if self.is_petition else "letteraction"
        return reverse(f"admin:delivery_{model}_change", args=[self.pk])

    # Dates

    def opened_at(self) -> datetime | None:
        return self.obj.opened_at()

    def closed_at(self) -> datetime | None:
        """When it closed: by staff, or by its closing date, whichever came first."""
        moments = [self.obj.closed_at, getattr(self.obj, "closes_at", None)]
        return min((moment for moment in moments if moment), default=None)

    # Signatures: confirmed signatures of a petition, approved endorsements of a letter

    def signatures(self) -> QuerySet:
        return self.obj.counted_signatures()

    def all_signatures(self) -> QuerySet:
        """Every signature whatever its status (for the progress page)."""
        return self.obj.all_signatures()

    def mark_delivered(self, user) -> None:
        """Set the state to delivered; call inside the transaction that records the delivery."""
        delivered = lifecycle.mark_delivered(self.obj, user)
        self.obj.state = delivered.state
