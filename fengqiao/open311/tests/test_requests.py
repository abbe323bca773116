"""GET requests, requests/{id} and tokens/{token}, in JSON and XML: filters, limits, scoping, no personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Category, Party
from fengqiao.open311 import views

from .conftest import BASE, FORMATS, LAT, LNG, errors_of, make_partner, parse, xml_records

pytestmark = pytest.mark.django_db

FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"}


def records(response, fmt: str) -> list[dict]:
    body = parse(response, fmt)
    if fmt == "json":
        return body
    assert body.tag == "service_requests" and all(item.tag == "request" for item in body)
    return xml_records(body)


def ids(response, fmt: str = "json") -> set[str]:
    return {r["service_request_id"] for r in records(response, fmt)}


@pytest.fixture
def wages(categories) -> Category:
    return Category.objects.get(name="劳资纠纷")


def private_case(make_case, wages):
    return make_case(
        category=wages, service_type="mediation", address="碧水花园5栋302",
        description="我叫王小梅，电话13912345678，身份证440311199001011234，张大山欠我工资三万元。",
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13912345678"),
                 cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="张大山", phone="0755-27401234")],
        latitude=22.748123, longitude=113.938456,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_reads_in_the_spec_fields(api, make_case, wages, fmt):
    case = private_case(make_case, wages)
    response = api.get(f"{BASE}/requests/{case.code}.{fmt}")
    assert response.status_code == 200
    [item] = records(response, fmt)
    assert set(item) == FIELDS
    assert item["service_request_id"] == case.code
    assert item["status"] == "open" and item["status_notes"] == "Submitted"
    assert (item["service_code"], item["service_name"]) == (wages.code, "劳资纠纷")
    assert item["agency_responsible"] == case.holder_unit.name
    assert item["requested_datetime"] == timezone.localtime(case.submitted_at).isoformat(timespec="seconds")
    assert item["requested_datetime"].endswith("+08:00")
    assert item["expected_datetime"] == timezone.localtime(case.due_at).isoformat(timespec="seconds")
    assert item["service_notice"].startswith(case.holder_unit.name)
    assert item["address"] == "光明区 光明街道 光明社区"  # public: the region, not the home address
    assert float(item["lat"]) == 22.748 and float(item["long"]) == 113.938
    assert item["address_id"] in (None, "") and item["zipcode"] in (None, "") and item["media_url"] in (None, "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_get_ever_carries_personal_data(api, make_case, wages, partner, fmt):
    case = private_case(make_case, wages)
    for params in ({}, {"api_key": partner.key}):
        for url in (f"{BASE}/requests.{fmt}", f"{BASE}/requests/{case.code}.{fmt}"):
            response = api.get(url, params)
            text = response.content.decode()
            assert case.code in text
            for secret in ("13912345678", "27401234", "440311199001011234", "王小梅", "张大山"):
                assert secret not in text, (secret, url, params)
            # public: a phone keeps no trailing digits (with the case code, the last four track a case)
            assert "王**" in text and "139********" in text and "139****5678" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_holder_sees_the_given_address_and_the_exact_position(api, make_case, wages, partner, fmt):
    case = private_case(make_case, wages)
    [item] = records(api.get(f"{BASE}/requests/{case.code}.{fmt}", {"api_key": partner.key}), fmt)
    assert item["address"] == "碧水花园5栋302"
    assert float(item["lat"]) == 22.748123 and float(item["long"]) == 113.938456


@pytest.mark.parametrize("fmt", FORMATS)
def test_confidential_cases_are_only_for_key_holders_who_may_see_them(api, make_case, partner, cast, fmt):
    confidential = make_case(service_type="psychological", description="孩子厌学情绪低落，希望心理老师帮助。")
    ordinary = make_case()
    assert ids(api.get(f"{BASE}/requests.{fmt}"), fmt) == {ordinary.code}
    response = api.get(f"{BASE}/requests/{confidential.code}.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, f"service_request_id “{confidential.code}” was not found.")]
    assert api.get(f"{BASE}/tokens/{confidential.code}.{fmt}").status_code == 404

    assert ids(api.get(f"{BASE}/requests.{fmt}", {"api_key": partner.key}), fmt) == {ordinary.code, confidential.code}
    assert api.get(f"{BASE}/requests/{confidential.code}.{fmt}", {"api_key": partner.key}).status_code == 200
    luohu = make_partner("luohu", unit="罗湖区综治中心")  # a key whose account does not see Guangming
    assert ids(api.get(f"{BASE}/requests.{fmt}", {"api_key": luohu.key}), fmt) == {ordinary.code}


def test_anonymous_cases_are_listed(api, make_case):
    case = make_case(is_anonymous=True)
    assert case.code in ids(api.get(f"{BASE}/requests.json"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_is_open_or_closed_from_our_states(api, make_case, cast, fmt):
    open_case = make_case()
    rejected = cs.case_reject(case=make_case(), actor=cast.op_community, reason="不属于受理范围。")
    by_id = {r["service_request_id"]: r for r in records(api.get(f"{BASE}/requests.{fmt}"), fmt)}
    assert by_id[open_case.code]["status"] == "open"
    assert (by_id[rejected.code]["status"], by_id[rejected.code]["status_notes"]) == ("closed", "Rejected")
    assert by_id[rejected.code]["service_notice"] in ("", None)
    assert ids(api.get(f"{BASE}/requests.{fmt}", {"status": "open"}), fmt) == {open_case.code}
    assert ids(api.get(f"{BASE}/requests.{fmt}", {"status": "closed"}), fmt) == {rejected.code}
    assert ids(api.get(f"{BASE}/requests.{fmt}", {"status": "open,closed"}), fmt) == {open_case.code, rejected.code}


@pytest.mark.parametrize("fmt", FORMATS)
def test_date_window_defaults_to_90_days_and_follows_start_and_end(api, make_case, fmt):
    now = timezone.now()
    recent = make_case(submitted_at=now - timedelta(days=3))
    older = make_case(submitted_at=now - timedelta(days=60))
    ancient = make_case(submitted_at=now - timedelta(days=120))
    url = f"{BASE}/requests.{fmt}"
    assert ids(api.get(url), fmt) == {recent.code, older.code}
    since = (now - timedelta(days=10)).isoformat()
    assert ids(api.get(url, {"start_date": since}), fmt) == {recent.code}
    until = (now - timedelta(days=100)).isoformat()
    assert ids(api.get(url, {"end_date": until}), fmt) == {ancient.code}
    both = {"start_date": (now - timedelta(days=200)).isoformat(), "end_date": now.isoformat()}
    assert ids(api.get(url, both), fmt) == {recent.code, older.code, ancient.code}
    # An unescaped "+" in the offset arrives as a space: still read as the W3C date it is.
    local = timezone.localtime(now - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(api.get(f"{url}?start_date={local}"), fmt) == {recent.code}


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_ids_override_the_other_filters(api, make_case, fmt):
    a, b = make_case(), make_case(submitted_at=timezone.now() - timedelta(days=200))
    make_case()
    got = ids(api.get(f"{BASE}/requests.{fmt}", {"service_request_id": f"{a.code}, {b.code.lower()}",
                                                 "status": "closed"}), fmt)
    assert got == {a.code, b.code}


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_code_filter(api, make_case, wages, fmt):
    other = Category.objects.get(name="邻里纠纷")
    a = make_case(category=wages)
    b = make_case(category=other)
    make_case()
    assert ids(api.get(f"{BASE}/requests.{fmt}", {"service_code": wages.code}), fmt) == {a.code}
    assert ids(api.get(f"{BASE}/requests.{fmt}", {"service_code": f"{wages.code},{other.code}"}), fmt) == {a.code, b.code}


def test_jurisdiction_filter(api, make_case):
    guangming = make_case()
    luohu = make_case("440303001001")
    assert ids(api.get(f"{BASE}/requests.json", {"jurisdiction_id": "440311"})) == {guangming.code}
    assert ids(api.get(f"{BASE}/requests.json", {"jurisdiction_id": "440303"})) == {luohu.code}


def test_at_most_1000_newest_first(api, make_case, monkeypatch):
    assert views.MAX_RESULTS == 1000
    monkeypatch.setattr(views, "MAX_RESULTS", 3)
    made = [make_case(submitted_at=timezone.now() - timedelta(hours=i)) for i in range(5)]
    got = [r["service_request_id"] for r in api.get(f"{BASE}/requests.json").json()]
    assert got == [c.code for c in made[:3]]


def test_the_list_costs_a_fixed_number_of_queries(api, make_case, wages, django_assert_max_num_queries):
    for _ in range(15):
        private_case(make_case, wages)
    with django_assert_max_num_queries(8):
        response = api.get(f"{BASE}/requests.json")
    assert len(response.json()) == 15


BAD_QUERIES = [
    ({"start_date": "yesterday"}, "start_date must be a W3C date and time, e.g. 2026-11-01T00:00:00+08:00."),
    ({"end_date": "2026-13-01T00:00:00Z"}, "end_date must be a W3C date and time, e.g. 2026-11-01T00:00:00+08:00."),
    ({"start_date": "2026-11-10T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "end_date is before start_date."),
    ({"status": "pending"}, "status must be open or closed (or both, comma-separated)."),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("params", "description"), BAD_QUERIES)
def test_bad_filters_are_400(api, fmt, params, description):
    response = api.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    assert errors_of(response, fmt) == [(400, description)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_key_on_a_get_is_403(api, fmt, make_case):
    case = make_case()
    for url in (f"{BASE}/requests.{fmt}", f"{BASE}/requests/{case.code}.{fmt}", f"{BASE}/tokens/{case.code}.{fmt}"):
        response = api.get(url, {"api_key": "fq_bad_key"})
        assert response.status_code == 403
        assert errors_of(response, fmt) == [(403, "api_key is not valid.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_is_404(api, fmt, db):
    response = api.get(f"{BASE}/requests/GM-2026-999999.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, "service_request_id “GM-2026-999999” was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_is_the_request_id(api, make_case, fmt):
    case = make_case()
    response = api.get(f"{BASE}/tokens/{case.code}.{fmt}")
    assert response.status_code == 200
    assert records(response, fmt) == [{"service_request_id": case.code, "token": case.code}]
    missing = api.get(f"{BASE}/tokens/nope.{fmt}")
    assert missing.status_code == 404
    assert errors_of(missing, fmt) == [(404, "token “nope” was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_media_url_and_expected_datetime_of_a_posted_request(api, partner, wages, fmt):
    response = api.post(f"{BASE}/requests.json", {
        "api_key": partner.key, "service_code": wages.code, "lat": LAT, "long": LNG,
        "description": "工地拖欠工资两个月，请帮忙协调。", "media_url": "https://partner.example.com/a.jpg"})
    code = response.json()[0]["service_request_id"]
    [item] = records(api.get(f"{BASE}/requests/{code}.{fmt}"), fmt)
    assert item["media_url"] == "https://partner.example.com/a.jpg"
    assert item["expected_datetime"]


def test_public_gets_are_rate_limited_per_address(api, settings, db):
    settings.FQ_RATE_OPEN311_IP = "3/m"
    statuses = [api.get(f"{BASE}/discovery.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert errors_of(api.get(f"{BASE}/discovery.xml"), "xml") == [(429, "Too many requests: try again later.")]


def test_partners_with_a_key_have_their_own_larger_rate(api, settings, partner):
    settings.FQ_RATE_OPEN311_IP, settings.FQ_RATE_OPEN311_KEY = "1/m", "5/m"
    assert api.get(f"{BASE}/requests.json").status_code == 200
    assert api.get(f"{BASE}/requests.json").status_code == 429
    keyed = [api.get(f"{BASE}/requests.json", {"api_key": partner.key}).status_code for _ in range(6)]
    assert keyed == [200] * 5 + [429]
