"""Second factor for staff: TOTP (RFC 6238) devices from django-otp."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.org.models import Membership


def is_staff_account(user) -> bool:
    """Anyone who works in the platform: a member of a unit, or an admin-site user."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or Membership.objects.filter(user=user, is_active=True).exists()


def needs_second_factor(user) -> bool:
    return is_staff_account(user) and not user.is_verified()


def device_for(user, *, create: bool = False) -> TOTPDevice | None:
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id").first()
    if device is None and create:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def current_token(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator shows now (for the demo hint and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"
