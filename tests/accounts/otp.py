"""Two-factor helpers for the sign-in specifications: an enrolled user and the code their
authenticator app would show."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = [f"rcode{n:03d}" for n in range(10)]


def enrol(user) -> TOTPDevice:
    """Give `user` a confirmed authenticator and the recovery codes RECOVERY_CODES."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in RECOVERY_CODES)
    return device


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` time steps later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A 6-digit code that is not the current one (nor its neighbours)."""
    valid = {code_for(device, steps_ahead=s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
