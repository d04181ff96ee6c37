"""Email addresses as identities: normalised once, compared by a keyed digest."""

from undersigned.protection.crypto import keyed_digest


def normalise_email(address: str) -> str:
    """Case and surrounding spaces do not make another person; dots and plus-tags do."""
    return address.strip().lower()


def email_digest(address: str) -> str:
    """A keyed HMAC of the normalised address: finds duplicates without reading the address."""
    return keyed_digest("email", normalise_email(address))
