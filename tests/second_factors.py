"""Second factors for tests: a real authenticator app (TOTP) and the codes it would show."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_app(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` 30-second steps later or earlier)."""
    step = (int(time.time()) - device.t0) // device.step + steps_ahead
    return str(hotp(device.bin_key, step, digits=device.digits)).zfill(device.digits)


def give_code_in_session(client, user) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_app(user).persistent_id
    session.save()


def give_code_in_browser(page, device: TOTPDevice) -> None:
    """On the sign-in's second step, type the code the app shows and go on."""
    page.wait_for_url("**/admin/second-factor/verify/**")
    page.get_by_label("Code").fill(code_now(device))
    page.get_by_role("button", name="Sign in").click()
