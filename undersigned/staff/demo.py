"""Demo logins: an operator, and one member per demo organisation, written one per line
to data/demo-logins.txt as `username password organisation-slug role` (`-` for the
operator's organisation). Passwords are made once and kept in that file."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model

from undersigned.organisations.models import Organisation

from .models import Membership, Role
from .roles import CAMPAIGNER, DATA_OFFICER, ORGANISATION_ADMIN

OPERATOR = "staff"
# One organisation of each kind of member; every other demo organisation gets a campaigner.
ROLE_OF = {"the-syria-campaign": ORGANISATION_ADMIN, "snhr": DATA_OFFICER}


def logins_file():
    return settings.DATA_DIR / "demo-logins.txt"


def kept_passwords() -> dict[str, str]:
    path = logins_file()
    if not path.exists():
        return {}
    return {
        fields[0]: fields[1] for fields in (line.split() for line in path.read_text().splitlines())
    }


def load() -> list[str]:
    kept = kept_passwords()
    lines = [ensure(OPERATOR, kept, superuser=True) + " - operator"]
    for organisation in Organisation.objects.filter(slug__in=demo_slugs()).order_by("slug"):
        role = ROLE_OF.get(organisation.slug, CAMPAIGNER)
        username = f"{organisation.slug}-{role}"
        password = ensure(username, kept)
        user = get_user_model().objects.get(username=username)
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": Role.objects.get(slug=role)}
        )
        lines.append(f"{password} {organisation.slug} {role}")
    path = logins_file()
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return [f"{len(lines)} demo logins in {path}"]


def demo_slugs() -> list[str]:
    from undersigned.organisations.demo import ORGANISERS

    return [fields["slug"] for fields in ORGANISERS]


def ensure(username: str, kept: dict, superuser=False) -> str:
    """The account with its kept password (a new one the first time); returns
    "username password"."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    password = kept.get(username)
    if user is None or password is None or not user.check_password(password):
        password = secrets.token_urlsafe(12)
        user = user or User(username=username, email=f"{username}@example.org")
        user.set_password(password)
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    return f"{username} {password}"
