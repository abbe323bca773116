"""The resident's booking look-up (booking code + phone number): wrong guesses at one booking are stopped whatever
IPs they come from; other bookings and right answers are not held up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.mediation.models import Booking
from fengqiao.mediation.tests.test_bookings_views import MONDAY, at, frozen, mediator, post_booking  # noqa: F401

pytestmark = pytest.mark.django_db


def look_up(code: str, phone: str, ip: str):
    return Client(REMOTE_ADDR=ip).post(reverse("mediators:manage"), {"code": code, "phone": phone})


def test_guesses_at_one_booking_from_many_ips_are_stopped(mediator, settings):  # noqa: F811
    settings.FQ_RATE_TRACK_CODE = "3/h"
    settings.FQ_RATE_TRACK_IP = "1000/h"
    assert post_booking(Client(), mediator, at(MONDAY, 14)).status_code == 302
    assert post_booking(Client(), mediator, at(MONDAY, 15), token="t2", phone="13700137000").status_code == 302
    mine, other = Booking.objects.order_by("starts_at")
    for n in range(3):
        assert look_up(mine.code, f"1390000000{n}", ip=f"10.30.0.{n + 1}").status_code == 404
    stopped = look_up(mine.code, "13800138000", ip="10.30.0.99")  # the right number, a new IP: waits now
    assert stopped.status_code == 429 and int(stopped["Retry-After"]) > 0
    assert look_up(other.code, "13700137000", ip="10.30.0.99").status_code == 302
