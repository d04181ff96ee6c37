"""Who may review and set aside signatures: the one place the staff views ask.

Reviewing a petition's signatures needs the staff flag and petitions.view_signature;
invalidating a batch needs supporters.add_invalidationbatch, restoring one
supporters.change_invalidationbatch. Superusers have them all.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from undersigned.petitions.models import Petition

from .models import InvalidationBatch

REVIEW = "petitions.view_signature"
INVALIDATE = "supporters.add_invalidationbatch"
RESTORE = "supporters.change_invalidationbatch"


def may(user, *permissions: str) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perms([REVIEW, *permissions]))


def get_petition_for_staff(request, pk, *permissions: str) -> Petition:
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied
    try:
        petition = Petition.objects.prefetch_related("texts").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        petition = None
    if petition is None:
        raise Http404
    if not may(request.user, *permissions):
        raise PermissionDenied
    return petition


def get_batch_for_staff(request, pk, *permissions: str) -> InvalidationBatch:
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied
    try:
        batch = InvalidationBatch.objects.select_related("petition").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        batch = None
    if batch is None:
        raise Http404
    if not may(request.user, *permissions):
        raise PermissionDenied
    return batch
