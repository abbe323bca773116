"""Open311 limits: per IP (anonymous and keyed), and per phone number on POST whatever key or IP sends it;
a 429 in the specification's error format with Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.cases.models import Case
from fengqiao.open311.tests.test_post import form, wages  # noqa: F401  (wages is a fixture)

from .conftest import BASE, errors_of, make_partner

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_for_one_phone_are_limited_across_partners_and_ips(api, partner, wages, settings, fmt):  # noqa: F811
    settings.FQ_RATE_OPEN311_PHONE = "2/h"
    other = make_partner("video")
    url = f"{BASE}/requests.{fmt}"
    assert api.post(url, form(partner, wages, phone="139 1234 5678"), REMOTE_ADDR="10.20.0.1").status_code == 201
    assert api.post(url, form(other, wages, phone="13912345678"), REMOTE_ADDR="10.20.0.2").status_code == 201
    limited = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en").post(
        url, form(partner, wages, phone="+86 139-1234-5678"), REMOTE_ADDR="10.20.0.3")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert errors_of(limited, fmt) == [(429, "Too many requests for this phone number: try again later.")]
    assert Case.objects.count() == 2
    # another resident's number goes through
    assert api.post(url, form(partner, wages, phone="13800001111")).status_code == 201


def test_reads_per_ip_answer_429_with_retry_after(api, settings):
    settings.FQ_RATE_OPEN311_IP = "2/h"
    for _ in range(2):
        assert api.get(f"{BASE}/discovery.json").status_code == 200
    limited = api.get(f"{BASE}/discovery.json")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
