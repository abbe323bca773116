"""POST /cases, GET /cases, GET /cases/{code}, notes: through case_submit, scoped by visible_to, masked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.api.tests.conftest import HOME_COMMUNITY, LUOHU_COMMUNITY, OTHER_COMMUNITY, case_body
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.cases.workflow import Action

pytestmark = pytest.mark.django_db

GUANGMING_POINT = (22.7625585, 113.931280)  # inside the district boundary (WGS84)
LUOHU_POINT = (22.57441, 114.136502)


def applicant():
    return cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13912345678",
                         id_type="resident_id", id_number="440311199001011234")


# --- POST /cases ------------------------------------------------------------------------------------


def test_create_case_goes_through_case_submit(gm, categories):
    response = gm.api.post("/cases", case_body(category="C05-01", source_id="HL-2026-0001", address="光明大道1号"))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(code=body["code"])
    assert case.channel == "api" and case.source_system == gm.client.source_system and case.source_id == "HL-2026-0001"
    assert case.reporter == gm.client.user
    assert case.region.code == HOME_COMMUNITY and case.holder_unit.name == "光明社区群众诉求服务中心"
    assert case.category.code == "C05-01" and case.amount == 420000 and case.people_count == 30
    assert [e.action for e in case.events.all()] == [Action.SUBMIT]
    assert body["status"] == "submitted" and body["channel"] == "api" and body["category"]["code"] == "C05-01"
    # The phone is stored cleaned; the answer masks every person's personal data.
    person = case.parties.get(role="applicant")
    assert person.phone == "13912345678"
    shown = {p["role"]: p for p in body["parties"]}
    assert shown["applicant"] == {"role": "applicant", "kind": "person", "name": "王**", "phone": "139****5678",
                                  "id_type": "resident_id", "id_number": "4403**********1234", "masked": True}
    assert shown["respondent"]["name"] == "某建筑公司"  # organisations are not personal data
    assert body["actions"] and "accept" in body["actions"]


def test_create_case_by_coordinates_goes_to_the_district_centre(gm):
    lat, lng = GUANGMING_POINT
    response = gm.api.post("/cases", case_body(community_code=None, latitude=lat, longitude=lng))
    assert response.status_code == 201, response.content
    case = Case.objects.get(code=response.json()["code"])
    assert case.region.code == "440311" and case.holder_unit.name == "光明区群众诉求服务大厅"
    assert case.latitude == pytest.approx(lat, abs=1e-5)


def test_create_case_refuses_a_place_outside_or_missing(gm):
    lat, lng = LUOHU_POINT
    outside = gm.api.post("/cases", case_body(community_code=None, latitude=lat, longitude=lng))
    assert outside.status_code == 422
    assert set(outside.json()["fields"]) == {"latitude"}  # Luohu is served, but not by this key

    far = gm.api.post("/cases", case_body(community_code=None, latitude=39.9, longitude=116.4))
    assert far.status_code == 422 and "latitude" in far.json()["fields"]

    nowhere = gm.api.post("/cases", case_body(community_code=None))
    assert nowhere.status_code == 422 and set(nowhere.json()["fields"]) == {"community_code"}

    half = gm.api.post("/cases", case_body(community_code=None, latitude=lat))
    assert half.status_code == 422 and "longitude" in half.json()["fields"]

    luohu = gm.api.post("/cases", case_body(community_code=LUOHU_COMMUNITY))
    assert luohu.status_code == 422 and "community_code" in luohu.json()["fields"]

    unknown = gm.api.post("/cases", case_body(community_code="999999999999"))
    assert unknown.status_code == 422 and "community_code" in unknown.json()["fields"]
    assert not Case.objects.filter(channel="api").exists()


def test_validation_errors_name_the_fields_in_chinese_or_english(gm):
    body = case_body(description="短", category="NOPE", people_count=0, service_type="astrology")
    body["parties"][0]["phone"] = "12345"
    del body["title"]
    zh = gm.api.post("/cases", body)
    assert zh.status_code == 422
    error = zh.json()
    assert error["code"] == "invalid" and error["message"] in ("请更正下列字段。", "请更正所列字段。")
    assert {"description", "people_count", "service_type", "parties.0.phone"} <= set(error["fields"])
    assert "5" in error["fields"]["description"]
    en = gm.api.post("/cases", body, lang="en")
    fields = en.json()["fields"]
    assert en.json()["message"] == "Please correct the fields listed."
    assert "is not a phone number" in fields["parties.0.phone"]
    assert fields["people_count"] == "Must be at least 1."
    assert en["Content-Language"] == "en" and zh["Content-Language"] == "zh-hans"

    # Model-level checks that need the database come back the same way.
    service = gm.api.post("/cases", case_body(category="NOPE"), lang="en")
    assert service.status_code == 422 and service.json()["fields"] == {"category": "No category has the code NOPE."}
    missing = gm.api.post("/cases", {"service_type": "legal"}, lang="en")
    assert missing.json()["fields"] == {"description": "This field is required."}
    assert not Case.objects.filter(channel="api").exists()


def test_repeat_source_id_returns_the_existing_case(gm):
    first = gm.api.post("/cases", case_body(source_id="HL-7"))
    again = gm.api.post("/cases", case_body(source_id="HL-7", title="重发"))  # a new Idempotency-Key
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["code"] == first.json()["code"]
    assert Case.objects.filter(source_id="HL-7").count() == 1


def test_a_read_only_key_or_an_account_without_intake_cannot_submit(make_partner):
    reader = make_partner(scopes=["cases:read"])
    assert reader.api.post("/cases", case_body()).status_code == 403
    handler = make_partner(unit="光明区人力资源局", role="handler")
    refused = handler.api.post("/cases", case_body())
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


# --- GET /cases --------------------------------------------------------------------------------------


def test_list_shows_only_visible_cases(gm, make_partner, make_case):
    mine, other = make_case(), make_case(OTHER_COMMUNITY)
    luohu_case = make_case(LUOHU_COMMUNITY)
    codes = {c["code"] for c in gm.api.get("/cases").json()["items"]}
    assert {mine.code, other.code} <= codes and luohu_case.code not in codes

    luohu = make_partner(unit="罗湖区综治中心")
    seen = {c["code"] for c in luohu.api.get("/cases").json()["items"]}
    assert luohu_case.code in seen and not seen & {mine.code, other.code}

    community = make_partner(unit="光明社区群众诉求服务中心")
    seen = {c["code"] for c in community.api.get("/cases").json()["items"]}
    assert mine.code in seen and other.code not in seen


def test_list_filters(gm, make_case, cast):
    red = make_case(grade="red", service_type="legal")
    green = make_case()
    cs.case_accept(case=green, actor=cast.op_district)

    def codes(**params):
        response = gm.api.get("/cases", params)
        assert response.status_code == 200, response.content
        return {c["code"] for c in response.json()["items"]}

    assert codes(grade="red") & {red.code, green.code} == {red.code}
    assert codes(status="accepted") & {red.code, green.code} == {green.code}
    assert codes(service_type="legal") & {red.code, green.code} == {red.code}
    assert codes(code=red.code.lower()) == {red.code}
    later = (timezone.now() + timedelta(seconds=1)).isoformat()
    assert codes(updated_since=later) == set()
    cs.case_note(case=red, actor=cast.op_district, text="补充材料")  # touches updated_at
    Case.objects.filter(pk=red.pk).update(updated_at=timezone.now() + timedelta(seconds=5))
    assert codes(updated_since=later) == {red.code}


def test_list_rejects_bad_parameters(gm):
    too_many = gm.api.get("/cases", {"limit": 101})
    assert too_many.status_code == 422 and "limit" in too_many.json()["fields"]
    assert gm.api.get("/cases", {"status": "lost"}).status_code == 422
    bad_cursor = gm.api.get("/cases", {"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.json()["fields"]


def test_keyset_pagination_walks_every_case_once(gm, make_case, django_assert_max_num_queries):
    made = {make_case().code for _ in range(7)}
    seen: list[str] = []
    params = {"limit": 3}
    pages = 0
    while True:
        # key 2, rate limit (database cache) 6, scope 3, the page 1: the same for any page size.
        with django_assert_max_num_queries(12):
            page = gm.api.get("/cases", params).json()
        pages += 1
        seen += [c["code"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        params = {"limit": 3, "cursor": page["next_cursor"]}
    assert len(seen) == len(set(seen)) and made <= set(seen)
    assert pages == -(-len(seen) // 3)


# --- GET /cases/{code} ---------------------------------------------------------------------------------


def test_read_a_case_masked_with_its_timeline(gm, make_case, cast):
    case = make_case(parties=[applicant()])
    cs.case_accept(case=case, actor=cast.op_district)
    response = gm.api.get(f"/cases/{case.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["parties"][0]["phone"] == "139****5678" and body["parties"][0]["masked"] is True
    assert [e["action"] for e in body["events"]] == ["submit", "accept"]
    assert body["version"] == case.version and "dispatch" in body["actions"]
    assert not CaseEvent.objects.filter(case=case, action=Action.PII_REVEAL).exists()


def test_pii_scope_reveals_and_the_read_is_on_the_timeline(make_partner, make_case):
    partner = make_partner(scopes=["cases:read", "pii"])
    case = make_case(parties=[applicant()])
    body = partner.api.get(f"/cases/{case.code}").json()
    assert body["parties"][0]["phone"] == "13912345678" and body["parties"][0]["id_number"] == "440311199001011234"
    assert body["parties"][0]["masked"] is False and body["actions"] == []  # read-only key: no actions
    reveal = CaseEvent.objects.get(case=case, action=Action.PII_REVEAL)
    assert reveal.actor == partner.client.user and partner.client.name in reveal.reason


def test_a_case_out_of_scope_is_not_found(make_partner, make_case):
    case = make_case()
    luohu = make_partner(unit="罗湖区综治中心")
    for response in (
        luohu.api.get(f"/cases/{case.code}"),
        luohu.api.post(f"/cases/{case.code}/notes", {"text": "看看"}),
        luohu.api.post(f"/cases/{case.code}/actions/accept", {}),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert luohu.api.get("/cases/GM-2000-000001").status_code == 404
    assert case.events.count() == 1


# --- POST /cases/{code}/notes ---------------------------------------------------------------------------


def test_add_a_note(gm, make_case):
    case = make_case()
    response = gm.api.post(f"/cases/{case.code}/notes", {"text": "已电话联系诉求人", "internal": False})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["action"] == "note" and body["reason"] == "已电话联系诉求人" and body["is_public"] is True
    assert body["unit"] == "光明区群众诉求服务大厅"
    event = case.events.get(seq=body["seq"])
    assert event.actor == gm.client.user
    empty = gm.api.post(f"/cases/{case.code}/notes", {"text": ""})
    assert empty.status_code == 422 and "text" in empty.json()["fields"]
