"""POST /cases/{code}/actions/{action}: the lifecycle through the services, with 409 / 403 / 422 / 404."""

from __future__ import annotations

import pytest

from fengqiao.api.casework import ACTIONS
from fengqiao.api.tests.conftest import case_body
from fengqiao.cases import services as cs
from fengqiao.cases.models import Assignment, Case
from fengqiao.cases.timeline import replay
from fengqiao.cases.workflow import STEP_ACTIONS, TRANSITIONS, Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(make_partner):
    """A department's system: handler of 光明区人力资源局."""
    return make_partner("人力资源局系统", unit="光明区人力资源局", role="handler")


def act(partner, code, action, lang=None, **body):
    return partner.api.post(f"/cases/{code}/actions/{action}", body, lang=lang)


def ok(response, status: str | None = None) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    if status:
        assert body["status"] == status
    return body


def test_every_lifecycle_action_of_the_workflow_is_offered():
    lifecycle = set(TRANSITIONS) - {Action.PII_REVEAL, Action.DEADLINE_REMINDER, Action.DEADLINE_OVERDUE,
                                    Action.DEADLINE_ESCALATED} - STEP_ACTIONS  # procedure steps: their own routes
    assert set(ACTIONS) == lifecycle


def test_the_closed_loop_through_the_api(gm, hr, org):
    code = gm.api.post("/cases", case_body()).json()["code"]
    body = ok(act(gm, code, "accept", expected_version=1), "accepted")
    body = ok(act(gm, code, "dispatch", unit_id=org.hr.pk, assisting_unit_ids=[org.housing.pk],
                  expected_version=body["version"]), "dispatched")
    assert body["holder_unit"] == {"id": org.hr.pk, "name": "光明区人力资源局"}
    case = Case.objects.get(code=code)
    assert set(case.assisting_unit_ids()) == {org.housing.pk}

    assert "sign" in hr.api.get(f"/cases/{code}").json()["actions"]
    ok(act(hr, code, "sign"), "signed")
    ok(act(hr, code, "start"), "in_progress")
    ok(act(hr, code, "progress", reason="已约谈施工方"), "in_progress")
    ok(act(hr, code, "extension_request", reason="等待劳动监察结论", days=3), "in_progress")
    ok(act(gm, code, "extension_decide", approve=True), "in_progress")
    ok(act(hr, code, "hold", reason="等待当事人补充材料"), "on_hold")
    ok(act(hr, code, "resume"), "in_progress")
    body = ok(act(hr, code, "resolve", outcome="partly", reason="已支付一半工资"), "resolved")
    assert body["outcome"] == "partly"
    ok(act(gm, code, "reopen", reason="群众不满意"), "in_progress")
    ok(act(hr, code, "resolve", outcome="resolved", reason="工资已全部结清"), "resolved")
    body = ok(act(gm, code, "confirm", satisfaction="satisfied"), "confirmed")
    assert body["satisfaction"] == "satisfied"
    body = ok(act(gm, code, "close"), "closed")
    assert body["closed_at"] and body["actions"] == ["note"]

    case = Case.objects.get(code=code)
    events = list(case.events.all())
    assert replay(events) == {"status": "closed", "holder_unit": case.holder_unit_id, "reopen_count": 1}
    assert {e.actor_id for e in events[1:]} == {gm.client.user.pk, hr.client.user.pk}


def test_return_and_refused_return(gm, hr, org, make_case, cast):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    cs.case_dispatch(case=case, actor=cast.op_district, unit=org.hr)
    refused = act(hr, case.code, "return", lang="en")
    assert refused.status_code == 422 and refused.json()["fields"] == {"reason": "A reason is required for this action."}
    ok(act(hr, case.code, "return", reason="不属于本单位职责"), "returned")
    assert hr.api.get(f"/cases/{case.code}").status_code == 404  # no longer theirs
    ok(act(gm, case.code, "return_refuse", reason="欠薪属于人社部门职责"), "dispatched")
    assert hr.api.get(f"/cases/{case.code}").json()["holder_unit"]["id"] == org.hr.pk


def test_centre_actions_reject_merge_regrade_supervise_escalate_assist_withdraw_note(gm, org, make_case):
    rejected = make_case()
    ok(act(gm, rejected.code, "reject", reason="不属于受理范围"), "rejected")

    main, duplicate = make_case(), make_case()
    ok(act(gm, duplicate.code, "merge", into=main.code.lower()), "merged")
    assert Case.objects.get(pk=main.pk).people_count == 2

    graded = make_case()
    body = ok(act(gm, graded.code, "regrade", grade="red", reason="涉及人数多"), "submitted")
    assert body["grade"] == "red"
    ok(act(gm, graded.code, "supervise", reason="请加快办理"), "submitted")
    ok(act(gm, graded.code, "accept"), "accepted")
    assert graded.holder_unit.name == "光明社区群众诉求服务中心"
    body = ok(act(gm, graded.code, "escalate", reason="社区无法协调"), "accepted")
    assert body["holder_unit"]["name"] == "光明街道群众诉求服务大厅"

    ok(act(gm, graded.code, "dispatch", unit_id=org.hr.pk), "dispatched")
    ok(act(gm, graded.code, "assist", unit_id=org.housing.pk), "dispatched")
    assert Assignment.objects.filter(case=graded, unit=org.housing, role="assist", is_active=True).exists()
    body = ok(act(gm, graded.code, "redispatch", unit_id=org.housing.pk, reason="住建局牵头"), "dispatched")
    assert body["holder_unit"]["id"] == org.housing.pk

    withdrawn = make_case()
    ok(act(gm, withdrawn.code, "note", reason="已电话回访"), "submitted")
    ok(act(gm, withdrawn.code, "withdraw", reason="群众撤回"), "withdrawn")


def test_a_department_assigns_to_one_of_its_people(hr, gm, org, make_case, cast):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    cs.case_dispatch(case=case, actor=cast.op_district, unit=org.hr)
    assert act(gm, case.code, "assign", assignee=cast.handler.username).status_code == 403  # a handler's right
    nobody = act(hr, case.code, "assign", assignee="nobody")
    assert nobody.status_code == 422 and "assignee" in nobody.json()["fields"]
    outsider = act(hr, case.code, "assign", assignee=cast.handler_other.username)
    assert outsider.status_code == 422 and "assignee" in outsider.json()["fields"]
    ok(act(hr, case.code, "assign", assignee=cast.handler.username), "dispatched")
    assert Case.objects.get(pk=case.pk).assignee == cast.handler


def test_wrong_state_and_stale_version_are_409(gm, make_case):
    case = make_case()
    closed = act(gm, case.code, "close", lang="en")
    assert closed.status_code == 409 and closed.json()["code"] == "transition_not_allowed"
    assert "not possible" in closed.json()["message"]
    dispatch = act(gm, case.code, "dispatch", unit_id=1)
    assert dispatch.status_code == 409  # only an accepted case is dispatched
    stale = act(gm, case.code, "accept", expected_version=case.version + 5)
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert Case.objects.get(pk=case.pk).status == "submitted" and case.events.count() == 1


def test_allowed_state_but_not_this_accounts_right_is_403(hr, gm, org, make_case, cast):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    cs.case_dispatch(case=case, actor=cast.op_district, unit=org.hr)
    refused = act(hr, case.code, "redispatch", unit_id=org.housing.pk, reason="不是我们的")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # A centre operator may not do the department's work either.
    assert act(gm, case.code, "sign").status_code == 403


def test_missing_or_wrong_fields_are_422_by_name(gm, org, make_case, cast):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    no_unit = act(gm, case.code, "dispatch", lang="en")
    assert no_unit.status_code == 422 and no_unit.json()["fields"] == {"unit_id": "This field is required."}
    luohu_unit = act(gm, case.code, "dispatch", unit_id=org.luohu_centre.pk)
    assert luohu_unit.status_code == 422 and "unit_id" in luohu_unit.json()["fields"]
    centre = act(gm, case.code, "dispatch", unit_id=org.street_centre.pk)
    assert centre.status_code == 422
    bad_grade = act(gm, case.code, "regrade", grade="purple", reason="x")
    assert bad_grade.status_code == 422 and "grade" in bad_grade.json()["fields"]
    unknown_target = act(gm, case.code, "merge", into="GM-1999-000001")
    assert unknown_target.status_code == 422 and "into" in unknown_target.json()["fields"]

    cs.case_dispatch(case=case, actor=cast.op_district, unit=org.hr)
    redispatch = act(gm, case.code, "redispatch", unit_id=org.housing.pk)
    assert redispatch.status_code == 422 and "reason" in redispatch.json()["fields"]
    assert Case.objects.get(pk=case.pk).status == "dispatched" and Case.objects.get(pk=case.pk).holder_unit == org.hr


def test_resolve_confirm_and_extension_need_their_fields(hr, gm, org, make_case, cast):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    cs.case_dispatch(case=case, actor=cast.op_district, unit=org.hr)
    cs.case_sign(case=case, actor=cast.handler)
    assert "days" in act(hr, case.code, "extension_request", reason="需要时间").json()["fields"]
    assert act(hr, case.code, "extension_request", reason="x", days=31).status_code == 422
    ok(act(hr, case.code, "extension_request", reason="等待鉴定结果", days=5), "signed")
    assert "approve" in act(gm, case.code, "extension_decide").json()["fields"]
    refusal = act(gm, case.code, "extension_decide", approve=False)
    assert refusal.status_code == 422 and "reason" in refusal.json()["fields"]
    assert "outcome" in act(hr, case.code, "resolve", reason="好了").json()["fields"]
    assert "reason" in act(hr, case.code, "resolve", outcome="resolved").json()["fields"]
    ok(act(hr, case.code, "resolve", outcome="resolved", reason="已解决"), "resolved")
    assert "satisfaction" in act(gm, case.code, "confirm").json()["fields"]


def test_unknown_action_is_404(gm, make_case):
    case = make_case()
    response = act(gm, case.code, "teleport", lang="en")
    assert response.status_code == 404 and response.json()["code"] == "unknown_action"
    assert "accept" in response.json()["message"]
    assert act(gm, case.code, "pii_reveal").status_code == 404
    assert act(gm, case.code, "deadline_overdue").status_code == 404
