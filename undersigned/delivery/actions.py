"""One interface over the two kinds of action that are delivered: petitions and letters.

Everything in this app that does not care which kind it holds goes through `ActionRef`.
A letter is always its original: translations share its signatories, state and delivery.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from undersigned.letters.models import Endorsement, Letter
from undersigned.petitions.models import Petition, Signature
from undersigned.petitions.models import State as PetitionState

PETITION = "petition"
LETTER = "letter"
KINDS = (PETITION, LETTER)
DELIVERABLE_STATES = ("closed", "delivered")


@dataclass(frozen=True)
class ActionRef:
    kind: str
    obj: Any

    @classmethod
    def of(cls, obj) -> "ActionRef":
        if isinstance(obj, Petition):
            return cls(PETITION, obj)
        if isinstance(obj, Letter):
            return cls(LETTER, obj.original)
        raise TypeError(f"not an action: {obj!r}")

    @classmethod
    def get(cls, kind: str, pk: int) -> "ActionRef | None":
        model = {PETITION: Petition, LETTER: Letter}.get(kind)
        if model is None:
            return None
        obj = model.objects.filter(pk=pk).first()
        return cls.of(obj) if obj is not None else None

    def __str__(self) -> str:
        return str(self.obj)

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
        return self.obj.public_state if self.is_petition else self.obj.state

    @property
    def is_deliverable(self) -> bool:
        return self.state in DELIVERABLE_STATES

    @property
    def original_language(self) -> str:
        return self.obj.original_language if self.is_petition else self.obj.language

    def version(self, language: str):
        """The PetitionText, or the Letter version, to show in `language`."""
        if self.is_petition:
            return self.obj.text_in(language)
        return self.obj.version_in(language) or self.obj

    def title(self, language: str) -> str:
        version = self.version(language)
        if version is None:
            return self.slug
        return version.title

    def targets(self, language: str) -> list[str]:
        return [target.name_in(language) for target in self.obj.targets.all()]

    def organiser(self, language: str) -> str:
        return self.obj.organiser.name_in(language)

    def public_url(self, language: str) -> str:
        with translation.override(language):
            if self.is_petition:
                return self.obj.get_absolute_url()
            version = self.obj.version_in(language) or self.obj
            return version.get_absolute_url()

    def staff_url(self) -> str:
        model = "petitionaction" if self.is_petition else "letteraction"
        return reverse(f"admin:delivery_{model}_change", args=[self.pk])

    # Dates

    def opened_at(self) -> datetime | None:
        if self.is_petition:
            return self.obj.opens_at
        return self.obj.created_at

    def closed_at(self) -> datetime | None:
        if self.is_petition:
            # Closed by staff before its closing date, or without one: when that happened.
            closed = [getattr(self.obj, "closed_at", None), self.obj.closes_at]
            return min((moment for moment in closed if moment), default=None)
        last = self.signatures().order_by("-created_at").values_list("created_at", flat=True)
        return last.first()

    # Signatures: confirmed signatures of a petition, approved endorsements of a letter

    def signatures(self) -> QuerySet:
        if self.is_petition:
            return Signature.objects.filter(
                petition=self.obj, status=Signature.Status.CONFIRMED
            ).order_by()
        return Endorsement.objects.filter(letter=self.obj).approved().order_by()

    def all_signatures(self) -> QuerySet:
        """Every signature whatever its status (for the progress page)."""
        if self.is_petition:
            return Signature.objects.filter(petition=self.obj).order_by()
        return Endorsement.objects.filter(letter=self.obj).order_by()

    def mark_delivered(self) -> None:
        """Set the state to delivered; call inside the transaction that records the delivery."""
        if self.is_petition:
            Petition.objects.filter(pk=self.pk).update(
                state=PetitionState.DELIVERED, updated_at=timezone.now()
            )
            self.obj.state = PetitionState.DELIVERED
        else:
            self.obj.state = Letter.State.DELIVERED
            self.obj.save(update_fields=["state", "updated_at"])
