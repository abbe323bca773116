"""Resident accounts: sign up with phone and password (the SMS hook is a sink), sign in, "my demands"."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.intake import sms

from .conftest import zh

pytestmark = pytest.mark.django_db
PASSWORD = "Lamp-post-2026"


def signup(client, phone="13812349876", **overrides):
    data = {"phone": phone, "name": "赵敏", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return client.post(reverse("intake:signup"), data)


def test_sign_up_creates_a_resident_and_signs_in(anon):
    response = signup(anon, phone="138 1234 9876")
    assert response.status_code == 302 and response["Location"] == reverse("intake:my_cases")
    user = User.objects.get(username="13812349876")
    assert (user.phone, user.name, user.memberships.count()) == ("13812349876", "赵敏", 0)
    assert sms.SINK[-1] == "13812349876"
    assert anon.get(reverse("intake:my_cases")).status_code == 200


def test_resident_signs_in_through_the_login_form_without_second_factor(anon):
    signup(anon)
    anon.logout()
    response = anon.post(reverse("accounts:login"), {"username": "13812349876", "password": PASSWORD})
    assert response.status_code == 302
    assert anon.get(reverse("intake:my_cases")).status_code == 200


def test_phone_taken_mismatch_and_weak_password(anon, cast):
    User.objects.filter(pk=cast.resident.pk).update(phone="13812349876")
    assert zh(_("An account with this phone number exists already. Please sign in.")) in signup(anon).content.decode()
    assert zh(_("The two passwords are not the same.")) in signup(anon, "13700001111", password2="x").content.decode()
    weak = signup(anon, "13700001111", password1="123", password2="123")
    assert weak.status_code == 400 and not User.objects.filter(username="13700001111").exists()


def test_my_demands_lists_only_my_cases(cast, make_case, client):
    mine = make_case(applicant_user=cast.resident)
    other = make_case(applicant_user=cast.outsider)
    client.force_login(cast.resident)
    html = client.get(reverse("intake:my_cases")).content.decode()
    assert mine.code in html and other.code not in html
    assert reverse("intake:track_case", args=[mine.code]) in html


def test_my_demands_needs_sign_in(anon):
    assert anon.get(reverse("intake:my_cases")).status_code == 302


def test_sms_hook_is_a_sink():
    assert sms.send_verification_code("13900000000") is None
    assert sms.SINK[-1] == "13900000000"
