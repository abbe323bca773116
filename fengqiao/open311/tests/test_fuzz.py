"""Hypothesis against the Open311 endpoints: odd query parameters on GET, random fields on POST.

Whatever is sent, the answer is never a server error, and every refusal is a well-formed error list of the
specification (in JSON and XML: each error a numeric code equal to the HTTP status and a non-empty description).
Bounded (EXAMPLES per test, derandomized so CI sees the same requests every run).
"""

from __future__ import annotations

import json
import os
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import BASE, LAT, LNG

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FQ_CONTRACT_EXAMPLES", "10")) * 2
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=False,
                suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate, Phase.shrink))

# Text as clients send it: any character but the surrogates (which no HTTP client can encode), NUL included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
DIGITS = st.text("0123456789", min_size=1, max_size=45)
DATES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.builds(lambda d, h: f"{d.isoformat()}T00:00:00{h}", st.dates(), st.sampled_from(["+14:00", "-14:00", "Z", ""])),
    st.sampled_from(["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", "2026-02-30T00:00:00Z", "now"]),
    TEXT,
)
GET_PARAMS = st.fixed_dictionaries({}, optional={
    "start_date": DATES, "end_date": DATES,
    "status": st.one_of(st.sampled_from(["open", "closed", "open,closed", "OPEN", ""]), TEXT),
    "service_code": st.one_of(st.sampled_from(["C05-01", "C05-01,C05"]), TEXT),
    "service_request_id": st.one_of(st.sampled_from(["GM-2026-000001", "gm-2026-000001,"]), TEXT),
    "jurisdiction_id": st.one_of(st.sampled_from(["440311", "440303", "440311001001"]), TEXT),
    "api_key": TEXT,
})
POST_FIELDS = st.fixed_dictionaries({}, optional={
    "description": st.one_of(st.just("工地拖欠我们二十多个工人两个月工资，请帮忙。"), TEXT),
    "first_name": TEXT, "last_name": TEXT, "phone": st.one_of(st.just("13912345678"), TEXT, DIGITS),
    "email": TEXT, "media_url": st.one_of(st.just("https://partner.example.com/1.jpg"), TEXT),
    "lat": st.one_of(st.just(str(LAT)), TEXT, st.floats().map(str)),
    "long": st.one_of(st.just(str(LNG)), TEXT, st.floats().map(str)),
    "address_string": TEXT, "address_id": TEXT, "jurisdiction_id": st.one_of(st.just("440311"), TEXT),
    "attribute[people_count]": st.one_of(DIGITS, TEXT), "attribute[amount]": st.one_of(DIGITS, TEXT),
    "attribute[community]": st.one_of(st.just("440311001001"), TEXT),
    "attribute[service_type]": st.one_of(st.just("mediation"), TEXT), "idempotency_key": TEXT,
})


def well_formed_errors(response, fmt: str) -> list[tuple[int, str]]:
    """The error list of the answer; fails unless it is the specification's format with the status as code."""
    if fmt == "json":
        body = json.loads(response.content.decode("utf-8"))
        assert isinstance(body, list) and body
        errors = [(e["code"], e["description"]) for e in body]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "errors" and len(root)
        errors = [(int(e.findtext("code")), e.findtext("description")) for e in root.findall("error")]
    assert all(code == response.status_code and description for code, description in errors), errors
    return errors


def check(response, fmt: str) -> None:
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"].startswith("application/json" if fmt == "json" else "text/xml")
    if response.status_code >= 400:
        well_formed_errors(response, fmt)


@pytest.fixture
def wages_code(categories) -> str:
    from fengqiao.cases.models import Category

    return Category.objects.get(name="劳资纠纷").code


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_with_odd_parameters_never_fails(make_case, fmt):
    make_case()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    @FUZZ
    @given(params=GET_PARAMS)
    def run(params):
        check(client.get(f"{BASE}/requests.{fmt}", params), fmt)

    run()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_one_request_services_and_definitions_with_odd_ids_never_fail(categories, fmt):
    client = Client()

    @FUZZ
    @given(ident=TEXT.filter(lambda s: "/" not in s and "?" not in s and "#" not in s), jurisdiction=TEXT)
    def run(ident, jurisdiction):
        for path in (f"requests/{ident}", f"tokens/{ident}", f"services/{ident}"):
            check(client.get(f"{BASE}/{path}.{fmt}", {"jurisdiction_id": jurisdiction}), fmt)
        check(client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": jurisdiction}), fmt)

    run()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_random_fields_never_fails_and_what_it_takes_in_is_stored_cleanly(partner, wages_code, fmt):
    from fengqiao.cases.models import Case

    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    @FUZZ
    @given(fields=POST_FIELDS, service_code=st.one_of(st.just(wages_code), TEXT), multipart=st.booleans())
    def run(fields, service_code, multipart):
        data = {"api_key": partner.key, "service_code": service_code, **fields}
        if multipart:
            response = client.post(f"{BASE}/requests.{fmt}", data)
        else:
            from urllib.parse import urlencode

            response = client.post(f"{BASE}/requests.{fmt}", urlencode(data),
                                   content_type="application/x-www-form-urlencoded")
        check(response, fmt)
        if response.status_code == 201:
            case = Case.objects.order_by("-pk").first()
            stored = [case.description, case.address, *(p.name for p in case.parties.all())]
            assert not any("\x00" in text or "\ufffd" in text for text in stored)
        elif any("\x00" in str(v) for v in data.values()):
            assert response.status_code == 400  # NUL anywhere: refused at the door

    run()
