"""Email addresses as identities: normalised once, compared by a keyed digest."""

from django.utils.crypto import salted_hmac


def normalise_email(address: str) -> str:
    """Case and surrounding spaces do not make another person; dots and plus-tags do."""
    return address.strip().lower()


def email_digest(address: str) -> str:
    """A keyed HMAC of the normalised address: finds duplicates without reading the address."""
    return salted_hmac(
        "undersigned.email", normalise_email(address), algorithm="sha256"
    ).hexdigest()
