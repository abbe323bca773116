"""Personal data written inside free text: masked for a key without the "pii" scope, raw and recorded with it."""

from __future__ import annotations

import json

import pytest

from fengqiao.api import webhooks
from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent
from fengqiao.cases.workflow import Action

pytestmark = pytest.mark.django_db

RAW = ("１３８００１３８０００", "138.0013.8000", "440311 19900101 1234", "0755-8888 1234")
DESCRIPTION = "欠薪三个月，老板电话１３８００１３８０００，身份证440311 19900101 1234。"
ADDRESS = "光明大道1号，门卫138.0013.8000"
NOTE = "已联系，座机0755-8888 1234"


def _leaks(body) -> list[str]:
    text = json.dumps(body, ensure_ascii=False)
    return [raw for raw in RAW if raw in text]


def _case(make_case, cast):
    case = make_case(title="欠薪 １３８００１３８０００", description=DESCRIPTION, address=ADDRESS)
    cs.case_note(case=case, actor=cast.op_district, text=NOTE)
    return case


def test_without_the_pii_scope_free_text_is_masked_and_nothing_is_recorded(gm, make_case, cast):
    case = _case(make_case, cast)
    body = gm.api.get(f"/cases/{case.code}").json()
    assert _leaks(body) == []
    assert body["description"] == "欠薪三个月，老板电话138****8000，身份证4403**********1234。"
    assert body["address"] == "光明大道1号，门卫138****8000"
    assert body["title"] == "欠薪 138****8000"
    assert [e["reason"] for e in body["events"] if e["action"] == "note"] == ["已联系，座机0755-****1234"]
    assert not CaseEvent.objects.filter(case=case, action=Action.PII_REVEAL).exists()
    listed = gm.api.get("/cases").json()["items"]
    assert _leaks(listed) == [] and [c["title"] for c in listed if c["code"] == case.code] == ["欠薪 138****8000"]


def test_a_note_answer_and_a_lifecycle_answer_are_masked_too(gm, make_case):
    case = make_case()
    note = gm.api.post(f"/cases/{case.code}/notes", {"text": "回电１３８００１３８０００"}).json()
    assert note["reason"] == "回电138****8000"
    accepted = gm.api.post(f"/cases/{case.code}/actions/accept", {}).json()
    assert _leaks(accepted) == []


def test_with_the_pii_scope_free_text_is_raw_and_the_read_is_recorded(make_partner, make_case, cast):
    partner = make_partner(scopes=["cases:read", "pii"])
    case = _case(make_case, cast)
    body = partner.api.get(f"/cases/{case.code}").json()
    assert body["description"] == DESCRIPTION and body["address"] == ADDRESS
    assert NOTE in [e["reason"] for e in body["events"]]
    reveal = CaseEvent.objects.get(case=case, action=Action.PII_REVEAL)
    assert reveal.actor == partner.client.user and not reveal.is_public


def test_webhook_payloads_mask_personal_data_in_the_reason(make_case, cast):
    case = make_case()
    cs.case_note(case=case, actor=cast.op_district, text="诉求人电话 138 0013 8000，车牌粤B·12345")
    event = case.events.select_related("case", "actor_unit").get(action=Action.NOTE)
    payload = webhooks.payload_for(event, "case.note_added", "d-1")
    assert payload["change"]["reason"] == "诉求人电话 138****8000，车牌粤B***45"
