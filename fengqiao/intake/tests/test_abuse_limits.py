"""Abuse limits on the resident's pages: guesses at one case stopped whatever IPs they come from, per-case limits on
the resident's moves, SMS codes per number, and a 429 that says in both languages when to come back."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fengqiao.cases import services as cs
from fengqiao.cases.models import Party
from fengqiao.intake import sms

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def case(make_case):
    return make_case(parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone=PHONE)])


def guess(code: str, digits: str, ip: str):
    return Client(REMOTE_ADDR=ip).post(reverse("intake:track"), {"code": code, "digits": digits})


def test_tracking_guesses_across_ips_for_one_code_are_stopped(case, settings):
    settings.FQ_RATE_TRACK_IP = "1000/h"
    settings.FQ_RATE_TRACK_CODE = "5/h"
    for n in range(5):  # five wrong guesses, each from a fresh address: the per-IP limit never trips
        assert guess(case.code, f"{n:04d}", ip=f"10.8.0.{n + 1}").status_code == 400
    stopped = guess(case.code.lower(), "5678", ip="10.8.0.99")  # even the right digits, from a new IP, wait now
    assert stopped.status_code == 429
    assert 0 < int(stopped["Retry-After"]) <= 3600
    html = stopped.content.decode()
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            assert translation.gettext("Too many attempts") in html


def test_other_cases_and_right_answers_are_not_held_up(case, make_case, settings):
    settings.FQ_RATE_TRACK_CODE = "3/h"
    other = make_case(parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="李雷", phone="13800001111")])
    for n in range(3):
        guess(case.code, f"{n:04d}", ip=f"10.9.0.{n + 1}")
    assert guess(other.code, "1111", ip="10.9.0.50").status_code == 302  # another case: unaffected
    for _ in range(5):  # right answers are not counted as failures
        assert guess(other.code, "1111", ip="10.9.0.51").status_code == 302


def test_the_residents_moves_on_one_case_are_limited(case, settings):
    settings.FQ_RATE_CASE_ACT = "2/h"
    url = reverse("intake:track_act", args=[case.code, "add"])
    clients = []
    for n in range(3):  # three browsers that each verified the case
        c = Client(REMOTE_ADDR=f"10.10.0.{n + 1}")
        c.post(reverse("intake:track"), {"code": case.code, "digits": "5678"})
        clients.append(c)

    def add(c, text):
        case.refresh_from_db()
        return c.post(url, {"version": case.version, "text": text})

    assert add(clients[0], "补充：晚上九点以后最黑。").status_code == 302
    assert add(clients[1], "补充：门口有台阶。").status_code == 302
    limited = add(clients[2], "补充：第三条。")
    assert limited.status_code == 429 and "Retry-After" in limited
    assert case.events.filter(reason__contains="第三条").count() == 0


def test_sms_codes_per_number_are_limited(settings):
    settings.FQ_RATE_SMS_PHONE = "1/h"
    settings.FQ_RATE_SUBMIT_IP = "100/h"
    sms.SINK.clear()
    data = {"phone": "13812349876", "name": "赵敏", "password1": "Lamp-post-2026", "password2": "Lamp-post-2026"}
    assert Client().post(reverse("intake:signup"), data).status_code == 302
    assert sms.SINK == ["13812349876"]
    from fengqiao.accounts.models import User

    User.objects.filter(username="13812349876").delete()  # the same number signs up again at once
    assert Client(REMOTE_ADDR="10.11.0.2").post(reverse("intake:signup"), data).status_code == 302
    assert sms.SINK == ["13812349876"]  # no second code within the hour


def test_every_rate_setting_is_declared_with_a_default():
    names = [n for n in dir(django_settings) if n.startswith("FQ_RATE_")]
    expected = {"FQ_RATE_SUBMIT_IP", "FQ_RATE_SUBMIT_PHONE", "FQ_RATE_TRACK_IP", "FQ_RATE_TRACK_CODE",
                "FQ_RATE_CASE_ACT", "FQ_RATE_VERIFY_IP", "FQ_RATE_SMS_PHONE", "FQ_RATE_LOGIN_IP",
                "FQ_RATE_OPEN311_IP", "FQ_RATE_OPEN311_KEY", "FQ_RATE_OPEN311_PHONE"}
    assert expected <= set(names)
    for name in names:
        count, _slash, period = getattr(django_settings, name).partition("/")
        assert count.isdigit() and period, name
