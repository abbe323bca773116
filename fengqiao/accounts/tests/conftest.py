"""Helpers for the accounts tests. The organisation and the cast come from the root conftest
(`org`, `cast`, `make_case`): the real Guangming and Luohu tree, loaded once per test database."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts.models import User
from fengqiao.org.models import OrgUnit, Role
from fengqiao.org.services import membership_grant

PASSWORD = "Correct-horse-42"


def make_user(username: str, *, unit: OrgUnit | None = None, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, name=extra.pop("name", username), **extra)
    if unit is not None and role is not None:
        membership_grant(user=user, unit=unit, role=role)
    return user


def verify(client, user: User) -> TOTPDevice:
    """Sign `user` in and mark the session as having passed the second factor (as django_otp.login does)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def admin_user_verified(org, client) -> User:
    """A superuser holding the administrator role, signed in with the second factor passed."""
    user = make_user("root", unit=org.district_centre, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    verify(client, user)
    return user
