"""Opaque, signed cursors: a client can hand back only a cursor we gave it."""

from django.core import signing

from .errors import ApiError

SALT = "undersigned.api.cursor"
MAX_LENGTH = 300
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def make(kind: str, *position) -> str:
    return signing.dumps([kind, *position], salt=SALT, compress=True)


def read(cursor: str | None, kind: str) -> list | None:
    """The position a cursor of `kind` holds, None without one; 400 for any other."""
    if not cursor:
        return None
    try:
        if len(cursor) > MAX_LENGTH:
            raise signing.BadSignature
        value = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError):
        raise ApiError(400, "invalid cursor") from None
    if not isinstance(value, list) or not value or value[0] != kind:
        raise ApiError(400, "invalid cursor")
    return value[1:]
