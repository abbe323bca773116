"""Recovery codes for staff who lost their authenticator: django-otp's static device, one code = one sign-in.

Codes are shown once (at enrolment and whenever the user makes a new set); the database keeps only a
hash of each (the first 16 hex digits of its SHA-256, what fits django-otp's token column), so a copy of
the database does not hand out second factors. Using a code deletes it (django-otp's StaticDevice does),
making a new set deletes the old one, and each use is logged and marked on the device (last_used_at).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

log = logging.getLogger("fengqiao.accounts.recovery")

DEVICE_NAME = "recovery"
# Unambiguous letters and digits (no 0/O, 1/I/L), grouped "xxxx-xxxx-xx" when shown.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 10  # 31**10 ≈ 2**49.5


def normalise(code: str) -> str:
    """What the user typed, as the code was issued: lower case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def token_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()[:16]


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=DEVICE_NAME).first()


def remaining(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


@transaction.atomic
def recovery_codes_issue(*, user, count: int | None = None) -> list[str]:
    """A new set of codes for `user` (the old set stops working); returns them for showing once."""
    count = count or settings.FQ_RECOVERY_CODES
    device, _created = StaticDevice.objects.get_or_create(user=user, name=DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token_hash(c)) for c in codes])
    log.info("recovery codes issued: user=%s count=%d", user.pk, count)
    return [display(c) for c in codes]


def recovery_code_use(*, user, code: str) -> StaticDevice | None:
    """The recovery device when `code` is one of the user's unused codes (it is used up now), else None.

    Wrong codes count against the device (django-otp's throttling: a growing wait after each miss)."""
    device = recovery_device(user)
    if device is None or not normalise(code):
        return None
    if not device.verify_token(token_hash(code)):
        return None
    log.warning("recovery code used: user=%s remaining=%d", user.pk, device.token_set.count())
    return device


def recovery_allowed(device: StaticDevice | None) -> bool:
    return device is None or device.verify_is_allowed()[0]
