"""Second factor for staff: TOTP (RFC 6238) devices from django-otp."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.org.models import Membership


def is_staff_account(user) -> bool:
    """Anyone who works in the platform: a member of a unit, or an admin-site user."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_fq_is_staff_account", None)  # asked by several middlewares in one request
    if cached is None:
        cached = bool(user.is_staff or user.is_superuser
                      or Membership.objects.filter(user=user, is_active=True).exists())
        user._fq_is_staff_account = cached
    return cached


def needs_second_factor(user) -> bool:
    return is_staff_account(user) and not user.is_verified()


def device_for(user, *, create: bool = False) -> TOTPDevice | None:
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id").first()
    if device is None and create:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def current_token(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator shows now (for the demo hint and tests)."""
    return f"{_totp(device, at).token():0{device.digits}d}"


def _totp(device: TOTPDevice, at: float | None) -> TOTP:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return totp


@dataclass(frozen=True)
class DemoCode:
    """What the demo page may show: a code the device accepts now, or None while this step's code is spent."""

    token: str | None
    seconds_to_next: int  # until the next code (the one after the spent steps when token is None)


def demo_code(device: TOTPDevice, at: float | None = None) -> DemoCode:
    """The demo hint. A code is accepted once (django-otp keeps the step of the last one in ``last_t``), so after
    a sign-in the current code is spent until the next step: then there is no code to show, only the wait."""
    now = at if at is not None else time.time()
    totp = _totp(device, now)
    step_now = totp.t()
    into_step = (now - device.t0) % device.step
    seconds = max(1, math.ceil(device.step - into_step))
    if step_now > device.last_t:
        return DemoCode(token=f"{totp.token():0{device.digits}d}", seconds_to_next=seconds)
    return DemoCode(token=None, seconds_to_next=seconds + (device.last_t - step_now) * device.step)


def code_was_used(device: TOTPDevice, token: str, at: float | None = None) -> bool:
    """True when ``token`` is a code of this device within the tolerance window whose step was already used:
    it was right, but codes work once (so the user waits for the next one rather than retrying it)."""
    try:
        value = int(token)
    except ValueError:
        return False
    step_now = _totp(device, at).t()
    return any(
        step <= device.last_t and hotp(device.bin_key, step, digits=device.digits) == value
        for step in range(step_now - device.tolerance, step_now + device.tolerance + 1)
    )
