"""The suite's own guarantees (root conftest.py): fast hashing, axes off, 2FA on, no network."""

from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher

BLOCKED = r"Tests may not reach the network"


def test_passwords_hash_fast_in_tests():
    assert get_hasher().algorithm == "md5"


def test_axes_is_off_unless_a_test_turns_it_on(settings):
    assert settings.AXES_ENABLED is False
    settings.AXES_ENABLED = True  # a test may turn it on …
    assert settings.AXES_ENABLED is True


def test_axes_is_off_again_in_the_next_test():
    assert settings.AXES_ENABLED is False  # … and it is off again afterwards


def test_staff_second_factor_stays_on():
    assert settings.FQ_STAFF_2FA is True


@pytest.mark.parametrize("address", [("192.0.2.10", 80), ("2001:db8::1", 443, 0, 0), ("example.com", 443)])
def test_outbound_network_is_blocked(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(OSError, match=BLOCKED):
        sock.connect(address)
    with pytest.raises(OSError, match=BLOCKED):
        socket.create_connection(("192.0.2.10", 80), timeout=1)


def test_loopback_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


@pytest.mark.django_db
def test_the_cast_is_built_through_the_services(cast):
    from fengqiao.org.access import scope_for

    assert cast.op_district.check_password("Cast-pass-2026")
    members = {name for name, user in cast.items() if scope_for(user).grants}
    assert members == {name for name, _ in cast.items()} - {"resident", "outsider"}
    assert cast.luohu_op.memberships.get().unit.region.code == "440303"
