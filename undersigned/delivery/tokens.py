"""Unsubscribe links: a signed token naming a signature's primary key, nothing personal.

They do not expire (an unsubscribe link must keep working), and their salt is their own, so
no other signed value of the site can be replayed as one.
"""

from django.core import signing

SALT = "undersigned.delivery.unsubscribe"


def make_token(signature_pk: int) -> str:
    return signing.dumps(signature_pk, salt=SALT)


def read_token(token: str) -> int | None:
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) else None
