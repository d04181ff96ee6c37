"""Email addresses as identities: normalised once, compared by a keyed digest."""

from undersigned.protection.crypto import keyed_digest, normalise_email

# Domains shared by so many people that naming one says nothing about who signed. Any other
# domain (an organisation's, a family's) could point at a handful of people, so it is kept
# only as a keyed digest: equal domains still group together for the staff's abuse review.
SHARED_PROVIDERS = frozenset(
    [
        "163.com",
        "126.com",
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "hotmail.com",
        "hotmail.fr",
        "hotmail.co.uk",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "outlook.fr",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "rocketmail.com",
        "tutanota.com",
        "web.de",
        "yahoo.com",
        "yahoo.fr",
        "yahoo.co.uk",
        "yandex.com",
        "yandex.ru",
        "ymail.com",
        "zoho.com",
    ]
)


def email_domain_label(address: str) -> str:
    """What a signature keeps of its address's domain: the domain itself for a big shared
    provider ("gmail.com"), else "#" and a keyed digest of it."""
    domain = normalise_email(address).rpartition("@")[2].rstrip(".")
    if not domain:
        return ""
    if domain in SHARED_PROVIDERS:
        return domain
    return "#" + keyed_digest("email-domain", domain)[:24]
