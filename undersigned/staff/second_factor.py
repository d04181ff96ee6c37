"""A staff account's second factor: authenticator apps (TOTP), security keys (WebAuthn) and
one-time backup codes, through django-otp and django-otp-webauthn.

Who must have one: operators, every member whose role shows signers' data (data officers,
organisation admins), and every member of an organisation that requires it. Until such an
account has enrolled, and until any enrolled account has given its code in this session, no
back-office page opens for it (see site.py): only the sign-in's second step and enrolment.
"""

import secrets

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from undersigned.audit.models import record

from . import access
from .models import Membership

# A role holding any of these sees who signed: its members must enrol.
SIGNER_DATA_PERMISSIONS = frozenset(
    {
        "petitions.view_signature",
        "delivery.export_emails",
        "delivery.view_package",
        "letters.export_contacts",
    }
)
VERIFY, ENROL = "verify", "enrol"
BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def required(user) -> bool:
    if user.is_superuser:
        return True
    permissions = access.permissions_by_organisation(user)
    if any(SIGNER_DATA_PERMISSIONS & held for held in permissions.values()):
        return True
    return Membership.objects.filter(user=user, organisation__require_second_factor=True).exists()


def primary_devices(user) -> list:
    """The account's confirmed authenticator apps and security keys (not backup codes)."""
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if not isinstance(device, StaticDevice)
    ]


def enrolled(user) -> bool:
    return bool(primary_devices(user))


def pending(request) -> str | None:
    """What a signed-in staff account must still do before the back office opens: VERIFY
    (give a code), ENROL (add a second factor), or nothing (None)."""
    user = request.user
    if not access.is_staff(user) or user.is_verified():
        return None
    if enrolled(user):
        return VERIFY
    return ENROL if required(user) else None


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def make_backup_codes(user, count: int) -> list[str]:
    """Replace the account's backup codes with `count` new ones, returned to show once."""
    codes = ["".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(10)) for _ in range(count)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="backup", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def start_app(user) -> TOTPDevice:
    """A new, unconfirmed authenticator app, confirmed once the user gives its first code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def confirm_app(device: TOTPDevice, code: str) -> bool:
    if device.confirmed or not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def remove(user, device, request) -> None:
    with transaction.atomic():
        device.delete()
        if not enrolled(user):
            StaticDevice.objects.filter(user=user).delete()
        record(user, "second_factor.removed", kind=kind_of(device))
    end_other_sessions(user, request.session.session_key)


def reset(membership, by) -> None:
    """An organisation admin's reset of a member's second factor: every device gone, every
    session of theirs ended; they enrol again at their next sign-in."""
    member = membership.user
    with transaction.atomic():
        for device in devices_for_user(member, confirmed=None):
            device.delete()
        record(by, "second_factor.cleared", membership, account=member.pk)
    end_other_sessions(member, keep=None)


def kind_of(device) -> str:
    if isinstance(device, TOTPDevice):
        return "app"
    if isinstance(device, WebAuthnCredential):
        return "security_key"
    return "backup_code"


def end_other_sessions(user, keep: str | None) -> int:
    """Sign the account out everywhere but the session `keep` (after a change of password
    or second factor). Sessions are stored in the database and only staff have them."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep:
            continue
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
