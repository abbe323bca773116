"""POST requests.{json,xml}: a partner's key takes a demand in through case_submit; every error in the spec's format."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import Case, Category, Channel
from fengqiao.open311.models import Open311Submission
from fengqiao.org.models import Role

from .conftest import BASE, FORMATS, LAT, LNG, errors_of, make_partner, parse

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
        "phone": "13912345678",
        "email": "xiaomei@example.com",
        "media_url": "https://partner.example.com/photos/1.jpg",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def created(response, fmt: str) -> dict:
    body = parse(response, fmt)
    if fmt == "json":
        assert len(body) == 1
        return body[0]
    assert body.tag == "service_requests" and len(body) == 1 and body[0].tag == "request"
    item = {child.tag: child.text for child in body[0]}
    assert set(item) == {"service_request_id", "service_notice", "account_id"}
    return item


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_with_a_position_becomes_a_case(api, partner, wages, fmt):
    response = api.post(f"{BASE}/requests.{fmt}", form(partner, wages, **{
        "attribute[people_count]": "23", "attribute[amount]": "360000"}))
    assert response.status_code == 201, response.content
    item = created(response, fmt)
    case = Case.objects.get(code=item["service_request_id"])
    assert item["account_id"] is None
    assert case.holder_unit.name in item["service_notice"]
    assert (case.channel, case.source_system) == (Channel.OPEN311, "partner-hotline")
    assert case.category == wages and case.service_type == "mediation"  # the category's own service
    assert (case.people_count, int(case.amount)) == (23, 360000)
    assert case.region.code == "440311" and case.holder_unit.name == "光明区群众诉求服务大厅"
    assert (case.latitude, case.longitude) == (LAT, LNG)
    applicant = case.parties.get()
    assert (applicant.name, applicant.phone) == ("王小梅", "13912345678")
    assert not case.is_anonymous and case.reporter == partner.client.user
    assert Open311Submission.objects.get(case=case).media_url == "https://partner.example.com/photos/1.jpg"


def test_an_address_with_a_community_goes_to_that_community(api, partner, wages):
    response = api.post(f"{BASE}/requests.json", form(partner, wages, lat=None, long=None,
                        address_string="光明大街1号", **{"attribute[community]": "440311001001",
                                                          "attribute[service_type]": "legal"}))
    assert response.status_code == 201, response.content
    case = Case.objects.get(code=response.json()[0]["service_request_id"])
    assert case.region.code == "440311001001" and case.holder_unit.name == "光明社区群众诉求服务中心"
    assert case.address == "光明大街1号" and case.latitude is None and case.service_type == "legal"


def test_an_address_alone_goes_to_the_district_centre(api, partner, wages):
    response = api.post(f"{BASE}/requests.json", form(partner, wages, lat=None, long=None, address_string="光明某处"))
    assert response.status_code == 201
    case = Case.objects.get(code=response.json()[0]["service_request_id"])
    assert case.region.code == "440311" and case.holder_unit.name == "光明区群众诉求服务大厅"


def test_a_request_without_name_is_anonymous_and_latin_names_keep_their_order(api, partner, wages):
    anon = api.post(f"{BASE}/requests.json", form(partner, wages, first_name=None, last_name=None, phone=None))
    case = Case.objects.get(code=anon.json()[0]["service_request_id"])
    assert case.is_anonymous and not case.parties.exists()
    latin = api.post(f"{BASE}/requests.json", form(partner, wages, first_name="Jane", last_name="Doe"))
    assert Case.objects.get(code=latin.json()[0]["service_request_id"]).parties.get().name == "Jane Doe"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_idempotency_key_never_makes_a_second_case(api, partner, wages, fmt):
    url = f"{BASE}/requests.{fmt}"
    first = api.post(url, form(partner, wages), HTTP_X_IDEMPOTENCY_KEY="tap-1")
    again = api.post(url, form(partner, wages), HTTP_X_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == again.status_code == 201
    assert created(first, fmt) == created(again, fmt)
    by_param = api.post(url, form(partner, wages, idempotency_key="tap-2"))
    by_param_again = api.post(url, form(partner, wages, idempotency_key="tap-2"))
    assert created(by_param, fmt) == created(by_param_again, fmt)
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 2
    assert set(Case.objects.values_list("source_id", flat=True)) == {"open311:tap-1", "open311:tap-2"}

    other = make_partner("other")  # keys are per client: the same key from another client is another request
    response = api.post(url, form(other, wages), HTTP_X_IDEMPOTENCY_KEY="tap-1")
    assert response.status_code == 201 and Case.objects.count() == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_idempotency_key_reused_for_another_request_is_refused(api, partner, wages, fmt):
    api.post(f"{BASE}/requests.{fmt}", form(partner, wages), HTTP_X_IDEMPOTENCY_KEY="k")
    response = api.post(f"{BASE}/requests.{fmt}", form(partner, wages, description="完全不同的另一件事情说明。"),
                        HTTP_X_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400
    assert errors_of(response, fmt) == [(400, "This idempotency key was used before for a different request.")]
    assert Case.objects.count() == 1


def test_without_an_idempotency_key_each_post_is_a_new_request(api, partner, wages):
    api.post(f"{BASE}/requests.json", form(partner, wages))
    api.post(f"{BASE}/requests.json", form(partner, wages))
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 2


BAD_REQUESTS = [
    # (changes to the good form, status, description)
    ({"api_key": None}, 403, "api_key was not provided: ask the platform's administrator for a key."),
    ({"api_key": "fq_nope_nope"}, 403, "api_key is not valid."),
    ({"service_code": None}, 400, "service_code was not provided."),
    ({"service_code": "NOPE"}, 404, "service_code “NOPE” was not found."),
    ({"jurisdiction_id": "999999"}, 404, "jurisdiction_id “999999” was not found."),
    ({"lat": None, "long": None}, 400, "A location is required: lat and long, or address_string."),
    ({"lat": None, "long": None, "address_id": "A-7"}, 400,
     "address_id is not supported here: send lat and long, or address_string."),
    ({"long": None}, 400, "lat and long: give both, in WGS84 degrees."),
    ({"lat": "22.57", "long": "114.13"}, 403, "This place is outside the area this api_key takes requests in."),
    ({"lat": "39.9", "long": "116.4"}, 400,
     "lat/long: This place is outside the area we serve. Please choose a place inside the district."),
    ({"lat": "north"}, 400, "lat/long: The position is not a valid latitude and longitude."),
    ({"attribute[community]": "440303001001"}, 400, "attribute[community]: the community is not in the district of lat/long."),
    ({"attribute[community]": "123"}, 400, "attribute[community]: there is no community with the code “123”."),
    ({"attribute[colour]": "red"}, 400, "attribute[colour] is not an attribute of this service."),
    ({"attribute[service_type]": "magic"}, 400,
     "attribute[service_type] must be one of: mediation, legal, psychological, assistance, complaint."),
    ({"attribute[people_count]": "0"}, 400, "attribute[people_count] must be a whole number from 1 to 1000000."),
    ({"attribute[amount]": "lots"}, 400, "attribute[amount] must be a sum of money in yuan, e.g. 36000."),
    ({"description": "短"}, 400, "description: Please describe what happened in a few words (at least 5 characters)."),
    ({"phone": "12345"}, 400, "phone: “12345” is not a phone number. Give an 11-digit mobile number or a landline with "
                              "its area code."),
    ({"email": "not-mail"}, 400, "email: “not-mail” is not an e-mail address."),
    ({"media_url": "ftp://x/y.jpg"}, 400, "media_url: give an http or https address of at most 500 characters."),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("changes", "status", "description"), BAD_REQUESTS)
def test_every_error_answers_in_the_spec_format(api, partner, wages, fmt, changes, status, description):
    response = api.post(f"{BASE}/requests.{fmt}", form(partner, wages, **changes))
    assert response.status_code == status
    assert errors_of(response, fmt) == [(status, description)]
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_problem_of_a_request_is_listed(api, partner, wages, fmt):
    response = api.post(f"{BASE}/requests.{fmt}", form(partner, wages, phone="1", description="", **{
        "attribute[people_count]": "x"}))
    assert response.status_code == 400
    assert [d.split(" ")[0] for _c, d in errors_of(response, fmt)] == [
        "attribute[people_count]", "description:", "phone:"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_without_the_open311_scope_is_403(api, cast, wages, fmt):
    reader = make_partner("reader", scopes=("cases:read",))
    response = api.post(f"{BASE}/requests.{fmt}", form(reader, wages))
    assert response.status_code == 403
    assert errors_of(response, fmt) == [(403, "This api_key does not have the open311 scope.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_whose_account_takes_no_demands_is_403(api, cast, wages, fmt):
    handler = make_partner("bureau", unit="光明区人力资源局", role=Role.HANDLER)
    response = api.post(f"{BASE}/requests.{fmt}", form(handler, wages))
    assert response.status_code == 403
    assert errors_of(response, fmt) == [(403, "The account of this api_key may not take in requests.")]


def test_a_revoked_key_is_403(api, partner, wages):
    partner.client.is_active = False
    partner.client.save()
    response = api.post(f"{BASE}/requests.json", form(partner, wages))
    assert response.status_code == 403


def test_a_community_key_may_only_submit_for_its_community(api, cast, wages):
    community = make_partner("community", unit="光明社区群众诉求服务中心")
    ok = api.post(f"{BASE}/requests.json", form(community, wages, lat=None, long=None, address_string="光明大街",
                                              **{"attribute[community]": "440311001001"}))
    assert ok.status_code == 201
    elsewhere = api.post(f"{BASE}/requests.json", form(community, wages))  # the position resolves to the district
    assert elsewhere.status_code == 403
