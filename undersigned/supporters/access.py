"""Who may review and set aside signatures, through the one access gate
(undersigned.staff.access): another organisation's petition or batch answers 404.

Reviewing a petition's signatures needs petitions.view_signature in the petition's
organisation; invalidating a batch needs supporters.add_invalidationbatch, restoring one
supporters.change_invalidationbatch (the data officer's role has them).
"""

from undersigned.petitions.models import Petition
from undersigned.staff import access

from .models import InvalidationBatch

REVIEW = "petitions.view_signature"
INVALIDATE = "supporters.add_invalidationbatch"
RESTORE = "supporters.change_invalidationbatch"


def may(user, petition: Petition, *permissions: str) -> bool:
    return all(access.may(user, p, petition) for p in (REVIEW, *permissions))


def get_petition_for_staff(request, pk, *permissions: str) -> Petition:
    queryset = Petition.objects.prefetch_related("texts")
    return access.get_for_staff(request, queryset, pk, REVIEW, *permissions)


def get_batch_for_staff(request, pk, *permissions: str) -> InvalidationBatch:
    queryset = InvalidationBatch.objects.select_related("petition")
    return access.get_for_staff(request, queryset, pk, REVIEW, *permissions)
