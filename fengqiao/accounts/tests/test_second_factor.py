"""Sign-in: password, then a TOTP code for staff; enrolment with a QR code; the demo hint; demo_totp."""

from __future__ import annotations

import base64
import time
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts.otp import current_token, demo_code
from fengqiao.accounts.tests.conftest import PASSWORD, make_user
from fengqiao.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def operator(org):
    user = make_user("op_2fa", unit=org.community_centre, role=Role.OPERATOR)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_wrong_password_is_refused(client, operator):
    response = sign_in(client, "op_2fa", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_must_pass_the_second_factor(client, operator):
    response = sign_in(client, "op_2fa")
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and home.url.startswith(reverse("accounts:2fa"))
    page = client.get(home.url).content.decode()
    assert "Enter the 6-digit code" in page
    assert "<svg" not in page  # a confirmed device: no enrolment QR


def test_wrong_code_shows_an_error_and_keeps_the_door_shut(client, operator):
    sign_in(client, "op_2fa")
    device = TOTPDevice.objects.get(user=operator)
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:2fa"), {"token": wrong})
    assert response.status_code == 200
    assert "That code is not right or has expired." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302


def test_letters_are_not_a_code(client, operator):
    sign_in(client, "op_2fa")
    response = client.post(reverse("accounts:2fa"), {"token": "12345a"})
    assert "The code has 6 digits." in response.content.decode()


def test_right_code_lets_staff_in_and_goes_to_next(client, operator):
    sign_in(client, "op_2fa")
    device = TOTPDevice.objects.get(user=operator)
    response = client.post(reverse("accounts:2fa"), {"token": current_token(device), "next": "/?from=test"})
    assert response.status_code == 302 and response.url == "/?from=test"
    assert client.get(reverse("core:home")).status_code == 200


def test_next_to_another_site_is_ignored(client, operator):
    sign_in(client, "op_2fa")
    device = TOTPDevice.objects.get(user=operator)
    response = client.post(reverse("accounts:2fa"), {"token": current_token(device), "next": "https://evil.example/"})
    assert response.url == "/"


def test_after_a_wrong_code_the_device_is_throttled(client, operator):
    sign_in(client, "op_2fa")
    device = TOTPDevice.objects.get(user=operator)
    client.post(reverse("accounts:2fa"), {"token": f"{(int(current_token(device)) + 1) % 1_000_000:06d}"})
    response = client.post(reverse("accounts:2fa"), {"token": current_token(device)})
    assert "Too many wrong codes." in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302


def test_first_sign_in_enrols_a_device_with_a_qr_code(client, org):
    user = make_user("new_op", unit=org.community_centre, role=Role.OPERATOR)
    sign_in(client, "new_op")
    page = client.get(reverse("accounts:2fa")).content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert "<svg" in page
    assert base64.b32encode(device.bin_key).decode().rstrip("=") in page
    client.post(reverse("accounts:2fa"), {"token": current_token(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200


def test_demo_mode_shows_the_current_code(client, operator, settings):
    settings.FQ_DEMO = True
    sign_in(client, "op_2fa")
    page = client.get(reverse("accounts:2fa")).content.decode()
    assert "Demo only" in page
    assert current_token(TOTPDevice.objects.get(user=operator)) in page


def test_no_demo_hint_outside_demo_mode(client, operator, settings):
    settings.FQ_DEMO = False
    sign_in(client, "op_2fa")
    assert "Demo only" not in client.get(reverse("accounts:2fa")).content.decode()


def test_resident_needs_no_second_factor(client, org):
    make_user("resident_2fa")
    sign_in(client, "resident_2fa")
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert 'data-role="resident"' in response.content.decode()


def test_current_token_follows_rfc6238():
    # RFC 6238 appendix B, SHA-1, 8 digits, T = 59 s -> 94287082; we use 6 digits -> the last six.
    device = TOTPDevice(key=b"12345678901234567890".hex(), digits=6, step=30, t0=0, drift=0)
    assert current_token(device, at=59) == "287082"
    assert current_token(device, at=1111111109) == "081804"


def test_demo_totp_prints_secret_and_current_code(org):
    user = make_user("gm_district_op", unit=org.district_centre, role=Role.OPERATOR)
    device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    out = StringIO()
    call_command("demo_totp", stdout=out)
    text = out.getvalue()
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    line = next(line for line in text.splitlines() if line.startswith("gm_district_op"))
    assert secret in line
    code = line.split()[-1]
    assert code in {current_token(device), current_token(device, at=time.time() - 5)}


# --- the demo hint when this step's code was already used (codes work once: django-otp's last_t) -------------

STEP_START = 1_790_000_010  # a multiple of 30: the first second of a TOTP step


def sign_out(client):
    client.post(reverse("accounts:logout"))


def test_demo_second_sign_in_in_the_same_step_says_to_wait_then_shows_a_code_that_works(client, operator, settings):
    settings.FQ_DEMO = True
    with time_machine.travel(STEP_START + 10, tick=False):
        sign_in(client, "op_2fa")
        first = current_token(TOTPDevice.objects.get(user=operator))
        assert first in client.get(reverse("accounts:2fa")).content.decode()
        assert client.post(reverse("accounts:2fa"), {"token": first}).status_code == 302
        sign_out(client)

    with time_machine.travel(STEP_START + 18, tick=False):
        sign_in(client, "op_2fa")
        page = client.get(reverse("accounts:2fa")).content.decode()
        assert first not in page  # the spent code is not offered
        assert 'class="demo-token"' not in page
        assert 'data-otp-wait="12"' in page
        assert '<strong class="demo-countdown">12</strong> s; this page then shows it.' in page

    with time_machine.travel(STEP_START + 30, tick=False):  # the next step: a new code, shown and accepted
        page = client.get(reverse("accounts:2fa")).content.decode()
        fresh = current_token(TOTPDevice.objects.get(user=operator))
        assert fresh != first
        assert f'<strong class="demo-token">{fresh}</strong>' in page
        assert "data-otp-wait" not in page
        response = client.post(reverse("accounts:2fa"), {"token": fresh})
        assert response.status_code == 302
        assert client.get(reverse("core:home")).status_code == 200


def test_demo_shows_no_code_until_the_step_after_one_accepted_ahead(client, operator, settings):
    # tolerance 1: an authenticator a little ahead may use the next step's code; the wait then runs to its end
    settings.FQ_DEMO = True
    device = TOTPDevice.objects.get(user=operator)
    with time_machine.travel(STEP_START + 5, tick=False):
        ahead = current_token(device, at=STEP_START + 35)
        sign_in(client, "op_2fa")
        assert client.post(reverse("accounts:2fa"), {"token": ahead}).status_code == 302
        device.refresh_from_db()
        assert demo_code(device).token is None
        # with OTP_TOTP_SYNC the device now counts one step ahead (drift 1), so its next code comes with the real next step
        waited = demo_code(device).seconds_to_next
        assert waited == 25 if device.drift == 1 else waited == 55
    later = STEP_START + 5 + waited
    assert demo_code(device, at=later).token == current_token(device, at=later)
    assert demo_code(device, at=later - 1).token is None


def test_a_spent_code_is_named_as_spent_not_as_wrong(client, operator):
    with time_machine.travel(STEP_START + 3, tick=False):
        sign_in(client, "op_2fa")
        code = current_token(TOTPDevice.objects.get(user=operator))
        client.post(reverse("accounts:2fa"), {"token": code})
        sign_out(client)
        sign_in(client, "op_2fa")
        page = client.post(reverse("accounts:2fa"), {"token": code}).content.decode()
        assert "That code has already been used; each code works once." in page
        assert "not right" not in page
        assert client.get(reverse("core:home")).status_code == 302
