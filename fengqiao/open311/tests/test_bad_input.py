"""Bad input to Open311 is answered in the specification's error format, never with a 500, and never stored garbled.

Each test here failed before (a 500 on the 40-digit people count and on dates at the ends of the calendar; NUL
and invalid UTF-8 stored or refused by PostgreSQL). The decision for NUL and invalid UTF-8 is made in one place,
fengqiao.core.badinput: refused with 400, never cleaned silently.
"""

from __future__ import annotations

import pytest

from fengqiao.cases.models import Case, Category

from .conftest import BASE, FORMATS, LAT, LNG, errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def wages(categories) -> Category:
    return Category.objects.get(name="劳资纠纷")


def form(partner, wages, **extra) -> dict:
    data = {
        "api_key": partner.key,
        "service_code": wages.code,
        "lat": str(LAT),
        "long": str(LNG),
        "description": "工地拖欠我们二十多个工人两个月工资，老板电话打不通，请帮忙。",
        "first_name": "小梅",
        "last_name": "王",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("people", ["1" * 40, "4294967296", "1000001", "²", "-3", "0", "1e3"])
def test_a_people_count_that_is_not_a_sensible_whole_number_is_a_400(api, partner, wages, fmt, people):
    response = api.post(f"{BASE}/requests.{fmt}", form(partner, wages, **{"attribute[people_count]": people}))
    assert response.status_code == 400, response.content
    assert errors_of(response, fmt) == [
        (400, "attribute[people_count] must be a whole number from 1 to 1000000.")]
    assert not Case.objects.exists()


def test_the_largest_people_count_and_full_width_digits_are_taken(api, partner, wages):
    response = api.post(f"{BASE}/requests.json", form(partner, wages, **{"attribute[people_count]": "1000000"}))
    assert response.status_code == 201, response.content
    second = api.post(f"{BASE}/requests.json", form(partner, wages, **{"attribute[people_count]": "２３"}))
    assert second.status_code == 201, second.content
    assert sorted(Case.objects.values_list("people_count", flat=True)) == [23, 1_000_000]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("params", [
    {"start_date": "9999-12-31T23:59:59+14:00"},
    {"end_date": "0001-01-01T00:00:00-14:00"},
    {"start_date": "0001-01-01T00:00:00+14:00"},
    {"end_date": "9999-12-31T23:59:59-14:00"},
    {"start_date": "0001-01-01T00:00:00+14:00", "end_date": "9999-12-31T23:59:59-14:00"},
])
def test_dates_at_the_ends_of_the_calendar_answer_without_a_server_error(api, make_case, fmt, params):
    case = make_case()
    response = api.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 200, response.content
    listed = case.code.encode() in response.content
    # The whole calendar holds the case; a window that ends before year 2 or starts in year 9999 does not.
    assert listed == ("start_date" in params and "end_date" in params)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_date_that_is_not_a_date_is_still_a_400(api, fmt):
    response = api.get(f"{BASE}/requests.{fmt}", {"start_date": "99999-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert errors_of(response, fmt) == [
        (400, "start_date must be a W3C date and time, e.g. 2026-11-01T00:00:00+08:00.")]


NUL_MESSAGE = ("description: the text contains the NUL character (U+0000), which no text may hold. "
               "Remove it and send again.")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("field", ["description", "first_name", "last_name", "address_string", "service_code",
                                   "attribute[community]"])
def test_a_nul_character_in_a_posted_field_is_refused_and_nothing_is_stored(api, partner, wages, fmt, field):
    data = form(partner, wages)
    data[field] = data.get(field, "光明大街1号") + "\x00尾巴"
    response = api.post(f"{BASE}/requests.{fmt}", data)
    assert response.status_code == 400, response.content
    assert errors_of(response, fmt) == [(400, NUL_MESSAGE.replace("description", field))]
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_nul_character_in_the_query_is_refused(api, fmt):
    response = api.get(f"{BASE}/requests.{fmt}", {"service_request_id": "GM-2026-000001\x00"})
    assert response.status_code == 400
    assert errors_of(response, fmt) == [(400, NUL_MESSAGE.replace("description", "service_request_id"))]
    path = api.get(f"{BASE}/requests/GM-2026%00.{fmt}")
    assert path.status_code == 400
    assert errors_of(path, fmt) == [
        (400, "The address contains the NUL character (U+0000), which no text may hold. Remove it and send again.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_invalid_utf8_in_a_posted_body_is_refused_and_nothing_is_stored(api, partner, wages, fmt):
    body = (f"api_key={partner.key}&service_code={wages.code}&lat={LAT}&long={LNG}"
            "&description=%E5%B7%A5%E5%9C%B0%E6%8B%96%E6%AC%A0%FF%FE%E5%B7%A5%E8%B5%84%E4%B8%A4%E4%B8%AA%E6%9C%88")
    response = api.post(f"{BASE}/requests.{fmt}", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, response.content
    assert errors_of(response, fmt) == [
        (400, "description: the text is not valid UTF-8 (some bytes are not characters). Send it encoded as UTF-8.")]
    assert not Case.objects.exists()


def test_raw_invalid_bytes_in_the_body_are_refused(api, partner, wages):
    body = f"api_key={partner.key}&service_code={wages.code}&description=".encode() + "工资".encode("gbk")
    response = api.post(f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "description: the text is not valid UTF-8" in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_invalid_utf8_in_the_query_is_refused(api):
    response = api.get(f"{BASE}/requests.json?status=open%C3%28")
    assert response.status_code == 400
    assert response.json() == [{
        "code": 400,
        "description": "status: the text is not valid UTF-8 (some bytes are not characters). Send it encoded as UTF-8."}]


def test_the_refusal_speaks_chinese_by_default(partner, wages):
    from django.test import Client

    response = Client().post(f"{BASE}/requests.json", form(partner, wages, description="工地欠薪\x00两个月"))
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "description" in error["description"] and "U+0000" in error["description"]
    assert "NUL" in error["description"] and "删除" in error["description"]


def test_an_error_echoing_a_control_character_is_still_well_formed_xml(api):
    response = api.get(f"{BASE}/services/C05\x01.xml")
    assert response.status_code == 404
    assert errors_of(response, "xml") == [(404, "service_code “C05” was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_address_that_names_nothing_is_a_404_in_the_format(api, fmt):
    for path in ("requests/.", "tokens/.", "nothing-here."):
        response = api.get(f"{BASE}/{path}{fmt}")
        assert response.status_code == 404, path
        assert errors_of(response, fmt) == [
            (404, "There is nothing at this address: see discovery.json for the endpoints.")]
