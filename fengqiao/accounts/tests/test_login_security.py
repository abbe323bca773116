"""Login security: lock-outs that hold across IPs, one IP cycling usernames, recovery codes, staff session limits,
the password policy, and production settings that refuse to run without the second factor."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts import recovery
from fengqiao.accounts.models import User
from fengqiao.accounts.otp import current_token
from fengqiao.accounts.session_limits import ABSOLUTE, IDLE, session_end_reason
from fengqiao.accounts.tests.conftest import PASSWORD, make_user, verify
from fengqiao.core.tests.test_env import PRODUCTION, import_settings
from fengqiao.org.models import Role

pytestmark = pytest.mark.django_db

# A complete production environment (with a field-encryption key, which production requires).
PROD = {"FQ_FIELD_KEYS": base64.urlsafe_b64encode(b"production-key-for-tests-32bytes").decode(), **PRODUCTION}


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def operator(org):
    user = make_user("op_sec", unit=org.community_centre, role=Role.OPERATOR)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sign_in(client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- lock-outs ---------------------------------------------------------------------------------------------------


def test_a_locked_account_stays_locked_from_another_ip(client, operator, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):  # a distributed guess: every wrong password from a different address
        sign_in(client, "op_sec", "wrong-password", ip=f"10.0.0.{n + 1}")
    locked = sign_in(client, "op_sec", PASSWORD, ip="10.9.9.9")  # right password, fresh address
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 3600
    html = locked.content.decode()
    assert "This account is locked for a while" in html
    with translation.override("zh-hans"):
        assert translation.gettext("This account is locked for a while after several wrong passwords. Try again "
                                   "later or ask an administrator to unlock it.") in html
    assert "_auth_user_id" not in client.session
    # other accounts are not affected by this one's lock
    make_user("someone_else")
    assert sign_in(client, "someone_else", PASSWORD, ip="10.9.9.9").status_code == 302


def test_one_ip_cycling_usernames_is_stopped(client, operator, settings):
    settings.FQ_RATE_LOGIN_IP = "5/h"
    for n in range(5):
        assert sign_in(client, f"guess{n}", "Password-123", ip="10.1.1.1").status_code == 200
    stopped = sign_in(client, "op_sec", PASSWORD, ip="10.1.1.1")  # even a right password waits now
    assert stopped.status_code == 429
    assert int(stopped["Retry-After"]) > 0
    with translation.override("zh-hans"):
        assert translation.gettext("Too many attempts") in stopped.content.decode()
    assert "_auth_user_id" not in client.session
    # another address signs in as usual
    assert sign_in(client, "op_sec", PASSWORD, ip="10.2.2.2").status_code == 302


def test_right_passwords_are_not_counted_against_the_ip(client, settings):
    settings.FQ_RATE_LOGIN_IP = "2/h"
    make_user("res_ok")
    for _ in range(4):
        assert sign_in(client, "res_ok", ip="10.3.3.3").status_code == 302
        client.post(reverse("accounts:logout"))


# --- recovery codes ----------------------------------------------------------------------------------------------


def test_enrolment_shows_recovery_codes_once_and_stores_only_hashes(client, org):
    user = make_user("new_sec", unit=org.community_centre, role=Role.OPERATOR)
    sign_in(client, "new_sec")
    client.get(reverse("accounts:2fa"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:2fa"), {"token": current_token(device), "next": "/?x=1"})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:recovery"))
    page = client.get(response.url).content.decode()
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{2})</code>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    assert not any(recovery.normalise(c) in stored for c in codes)  # never in clear
    again = client.get(reverse("accounts:recovery")).content.decode()
    assert not any(c in again for c in codes)  # shown once
    assert "You have 10 unused recovery codes." in again


def test_a_recovery_code_works_once(client, operator):
    codes = recovery.recovery_codes_issue(user=operator)
    sign_in(client, "op_sec")
    response = client.post(reverse("accounts:2fa"), {"recovery_code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert recovery.remaining(operator) == 9
    assert StaticDevice.objects.get(user=operator).last_used_at is not None  # recorded on the device

    client.post(reverse("accounts:logout"))
    sign_in(client, "op_sec")
    again = client.post(reverse("accounts:2fa"), {"recovery_code": codes[0]})
    assert again.status_code == 200
    assert "That recovery code is not right or was already used." in again.content.decode()
    assert client.get(reverse("core:home")).status_code == 302  # still at the door


def test_new_recovery_codes_replace_the_old_ones(client, operator):
    old = recovery.recovery_codes_issue(user=operator)
    verify(client, operator)
    response = client.post(reverse("accounts:recovery"))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    new = re.findall(r"<code>([a-z0-9-]{12})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert recovery.recovery_code_use(user=operator, code=new[1]) is not None
    assert recovery.recovery_code_use(user=operator, code=old[1]) is None


def test_recovery_codes_page_needs_the_second_factor(client, operator):
    sign_in(client, "op_sec")  # password only
    response = client.get(reverse("accounts:recovery"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:2fa"))
    assert client.post(reverse("accounts:recovery")).status_code == 302
    assert not StaticDevice.objects.filter(user=operator).exists()


# --- staff session limits ----------------------------------------------------------------------------------------

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def test_session_end_rule():
    rule = {"idle_seconds": 1800, "absolute_seconds": 36000}
    assert session_end_reason(now=100, signed_in_at=0, last_seen=50, **rule) is None
    assert session_end_reason(now=1900, signed_in_at=0, last_seen=50, **rule) == IDLE
    assert session_end_reason(now=36000, signed_in_at=0, last_seen=35990, **rule) == ABSOLUTE


def test_staff_session_ends_after_idle_time(client, operator, settings):
    settings.FQ_STAFF_IDLE_MINUTES = 30
    with time_machine.travel(T0, tick=False) as clock:
        verify(client, operator)
        assert client.get(reverse("core:home")).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("core:home")).status_code == 200  # activity keeps it alive
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("core:home")).status_code == 200
        clock.shift(timedelta(minutes=31))
        ended = client.get(reverse("core:home"))
        assert ended.status_code == 302 and ended.url.startswith(reverse("accounts:login"))
        assert "_auth_user_id" not in client.session
        page = client.get(ended.url).content.decode()
        assert "You were signed out after 30 minutes without activity." in page


def test_staff_session_ends_at_the_absolute_limit_however_active(client, operator, settings):
    settings.FQ_STAFF_IDLE_MINUTES = 30
    settings.FQ_STAFF_SESSION_HOURS = 2
    with time_machine.travel(T0, tick=False) as clock:
        verify(client, operator)
        client.get(reverse("core:home"))
        for _ in range(7):  # busy all along: a request every 15 minutes, 1 h 45 in all
            clock.shift(timedelta(minutes=15))
            assert client.get(reverse("core:home")).status_code == 200
        clock.shift(timedelta(minutes=15))
        ended = client.get(reverse("core:home"))
        assert ended.status_code == 302 and ended.url.startswith(reverse("accounts:login"))
        assert "A staff session lasts at most 2 hours." in client.get(ended.url).content.decode()


def test_residents_keep_their_session(client, settings):
    settings.FQ_STAFF_IDLE_MINUTES = 30
    resident = make_user("res_long")
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(resident)
        assert client.get(reverse("core:home")).status_code == 200
        clock.shift(timedelta(days=3))
        assert client.get(reverse("core:home")).status_code == 200


# --- password policy ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "english"),
    [
        ("Ab-1234", "This password is too short."),
        ("password123", "This password is too common."),
        ("8403175529016", "This password is entirely numeric."),
        ("13812345678x", "too similar to the"),
    ],
)
def test_password_policy_speaks_both_languages(password, english):
    user = User(username="zhao", name="赵敏", phone="13812345678")
    for lang, expected in (("en", english), ("zh-hans", None)):
        with translation.override(lang), pytest.raises(ValidationError) as caught:
            validate_password(password, user)
        text = " ".join(caught.value.messages)
        if expected:
            assert expected in text
        else:
            assert re.search(r"[\u4e00-\u9fff]", text), text  # Django's own Chinese catalogue
    validate_password("Lamp-post-by-the-river", user)


# --- production settings -----------------------------------------------------------------------------------------


def test_production_refuses_to_start_with_the_second_factor_off(tmp_path):
    result = import_settings(tmp_path, **{**PROD, "FQ_STAFF_2FA": "0"})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("fengqiao.env.EnvError") and "FQ_STAFF_2FA" in last_line


def test_development_may_relax_the_second_factor(tmp_path):
    assert import_settings(tmp_path, FQ_STAFF_2FA="0").returncode == 0


def test_production_speaks_https_only(tmp_path):
    import os
    import subprocess
    import sys

    from fengqiao.core.tests.test_env import ROOT

    code = ("import fengqiao.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "FQ_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
           **PROD}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    redirect, hsts, session_secure, csrf_secure, httponly = out.stdout.split()
    assert redirect == "True" and int(hsts) >= 31_536_000
    assert session_secure == csrf_secure == httponly == "True"


def test_production_redirects_plain_http_but_not_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get(reverse("intake:report"))
    assert response.status_code == 301 and response.url.startswith("https://")
    assert client.get("/healthz").status_code != 301
    secure = client.get(reverse("intake:report"), secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
