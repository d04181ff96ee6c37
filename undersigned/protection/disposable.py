"""Throwaway email domains, from the maintained `disposable-email-domains` list."""

from disposable_email_domains import blocklist


def is_disposable(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    parts = domain.split(".")
    # a subdomain of a listed domain is as disposable as the domain itself
    return any(".".join(parts[i:]) in blocklist for i in range(len(parts) - 1))
