"""Making, finding and revoking organisation API keys.

A key reads `us_<prefix>_<secret>`. The prefix finds the row; the whole key is compared by
its SHA-256 digest (a key is 190 random bits: a slow password hash would add nothing)."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from undersigned.audit.models import record

from .models import ApiKey

PREFIX_BYTES = 6
SECRET_BYTES = 24
MAX_KEY_LENGTH = 100


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(organisation, name: str, scope: str, user, expires_at=None) -> tuple[ApiKey, str]:
    """A new key and its secret, which is returned here once and never stored."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    key = f"us_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            organisation=organisation,
            name=name,
            scope=scope,
            prefix=prefix,
            digest=digest_of(key),
            created_by=user if getattr(user, "pk", None) else None,
            expires_at=expires_at,
        )
        record(user, "api_key.created", api_key, name=name, scope=scope, prefix=prefix)
    return api_key, key


def revoke_key(api_key: ApiKey, user) -> bool:
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record(user, "api_key.revoked", api_key, prefix=api_key.prefix)
    return bool(revoked)


def find_key(key: str) -> ApiKey | None:
    """The key's row, whatever its state (revoked and expired keys included), or None."""
    parts = key.split("_", 2)  # the secret itself may hold "_"
    if len(key) > MAX_KEY_LENGTH or len(parts) != 3 or parts[0] != "us":
        return None
    api_key = ApiKey.objects.select_related("organisation").filter(prefix=parts[1]).first()
    if api_key is None or not hmac.compare_digest(api_key.digest, digest_of(key)):
        return None
    return api_key


def is_usable(api_key: ApiKey) -> bool:
    if api_key.revoked_at is not None:
        return False
    return api_key.expires_at is None or api_key.expires_at > timezone.now()


def note_use(api_key: ApiKey, request) -> None:
    """Every use of a key is on the record, with what it asked for."""
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    record(
        None,
        "api_key.used",
        api_key,
        prefix=api_key.prefix,
        method=request.method,
        path=request.path[:200],
        query=request.META.get("QUERY_STRING", "")[:300],
    )
