"""Triage through the services: suggestions on submit, the rules' grade on the timeline, a failing model that
loses nothing, accepting and correcting (training data, notes on the timeline), re-grading when facts change,
merge and link, information the resident adds, and retraining that makes the new model version the one used."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases import services as cs
from fengqiao.cases.models import Attachment, Case, CaseEvent, Party, ServiceType
from fengqiao.cases.workflow import Action, Status
from fengqiao.core.reasons import render, render_all
from fengqiao.notifications.models import Notification
from fengqiao.org.models import OrgUnit
from fengqiao.routing.models import ResponsibilityRule
from fengqiao.routing.services import resolve_category
from fengqiao.triage import services as ts
from fengqiao.triage.duplicates import linked_cases
from fengqiao.triage.models import Part, SuggestionSource, SuggestionStatus, TriageCorrection, TriageSuggestion
from fengqiao.triage.tests.conftest import Suggestion

pytestmark = pytest.mark.django_db

WAGES_RED = "30余名工人被拖欠工资近两个月，工人情绪激动，扬言要到区政府门口聚集讨薪。"


def suggestions(case) -> dict[str, TriageSuggestion]:
    return {s.part: s for s in TriageSuggestion.objects.filter(case=case)}


def applicant(phone="13912345678", name="王小梅"):
    return cs.PartyInput(role=Party.PartyRole.APPLICANT, name=name, phone=phone)


# --- on submit -----------------------------------------------------------------------------------


def test_a_case_arrives_graded_red_by_the_rules_with_its_reasons(gm_rules, make_case, cast):
    case = make_case(title="工人讨薪", description=WAGES_RED, people_count=36, amount=Decimal("420000"),
                     category=resolve_category("劳资纠纷"), service_type=ServiceType.MEDIATION)
    case.refresh_from_db()
    assert case.grade == "red"
    assert "文本出现聚集、集体上访信号：“聚集”" in render_all(case.grade_reasons)
    assert "欠薪涉及36人（10人以上）" in render_all(case.grade_reasons) and "涉及金额42万元，达到10万元以上" in render_all(case.grade_reasons)
    # graded before it is saved: one timeline line, version 1, and the class 1 review clock (10 minutes) from the start
    assert [e.action for e in case.events.all()] == [Action.SUBMIT] and case.version == 1
    assert case.due_at - case.submitted_at <= timedelta(minutes=10)
    grade = suggestions(case)[Part.GRADE]
    assert grade.value == "red" and grade.source == SuggestionSource.RULES and "gathering" in grade.rule


def test_a_new_red_case_tells_the_holding_centre_and_the_district_leader(gm_rules, make_case, cast):
    case = make_case(description=WAGES_RED, people_count=36)
    told = set(Notification.objects.filter(case=case, kind="case_new_red").values_list(
        "recipient__username", flat=True))
    assert {"t_op_community", "t_station", "t_leader"} <= told
    assert "t_handler" not in told and "t_luohu_op" not in told


def test_a_rise_to_red_tells_the_holder_and_the_district_leader(gm_rules, make_case, cast, org):
    case = make_case(category=resolve_category("劳动和社会保障"))
    ts.triage_accept(case=case, actor=cast.op_community, part=Part.UNIT)
    cs.case_regrade(case=case, actor=cast.op_community, grade="red", reason="工人聚集在工厂门口")
    told = set(Notification.objects.filter(case=case, kind="case_regraded_red").values_list(
        "recipient__username", flat=True))
    assert {"t_handler", "t_leader"} <= told and "t_handler_other" not in told
    cs.case_regrade(case=case, actor=cast.op_community, grade="yellow", reason="已平息")
    assert not Notification.objects.filter(case=case, kind="case_regraded").exists()  # downward: nobody is paged


def test_an_ordinary_case_stays_green_without_a_timeline_line(gm_rules, make_case):
    case = make_case()
    assert case.grade == "green" and case.grade_reasons == []
    assert list(case.events.values_list("action", flat=True)) == [Action.SUBMIT]
    grade = suggestions(case)[Part.GRADE]
    assert grade.value == "green" and render_all(grade.evidence) == [_("No grading rule applies: class 3 (green).")]


def test_a_grade_given_at_intake_is_never_lowered_by_the_rules(gm_rules, make_case):
    case = make_case(grade="red")
    case.refresh_from_db()
    assert case.grade == "red"
    assert suggestions(case)[Part.GRADE].value == "green"


def test_the_responsibility_list_suggests_the_unit_with_its_rule(gm_rules, make_case, org):
    case = make_case(category=resolve_category("劳动和社会保障"), description="公司拖欠工资两个月，老板失联。")
    unit = suggestions(case)[Part.UNIT]
    assert unit.value == str(org.hr.pk) and unit.label == "光明区人力资源局"
    rule = ResponsibilityRule.objects.get(category__name="劳动和社会保障", keywords=[], is_active=True)
    assert unit.source == SuggestionSource.RULES and unit.rule == f"#{rule.pk} v1" and unit.rule_shown == _("rule #%(id)d v%(version)d") % {
        "id": rule.pk, "version": 1}
    assert render(unit.evidence[0]) == _("Responsibility list rule #%(id)d (version %(version)d): %(conditions)s → %(target)s") % {
        "id": rule.pk, "version": 1, "target": "光明区人力资源局", "conditions": _(", ").join([
            _("category “%(name)s”") % {"name": "劳动和社会保障"}, _("area “%(name)s”") % {"name": "光明区"}])}
    assert not unit.needs_operator


def test_without_rule_and_model_the_district_centre_dispatches_by_hand(gm_rules, make_case, org):
    case = make_case(description="路灯坏了一个星期，晚上出行不便。")
    unit = suggestions(case)[Part.UNIT]
    assert unit.value == str(org.district_centre.pk) and unit.source == SuggestionSource.FALLBACK
    assert unit.needs_operator and render_all(unit.evidence) == [_(
        "No rule of the responsibility list applies and the router model gave no answer: the district centre "
        "dispatches by hand.")]
    category = suggestions(case)[Part.CATEGORY]
    assert category.value == "" and category.needs_operator


def test_the_models_suggest_category_service_and_unit_with_evidence(gm_rules, make_case, models, org):
    models.category = [Suggestion("劳动和社会保障", 0.91, ["欠薪", "工资"]), Suggestion("城乡建设", 0.05),
                       Suggestion("不存在的分类", 0.02)]
    models.router = [Suggestion("区人力资源局", 0.8, ["欠薪 → 人力资源局"]), Suggestion("区住房建设局", 0.1),
                     Suggestion("龙岗区智慧城市运行中心", 0.05)]
    case = make_case(description="公司拖欠工资两个月，老板失联。")
    s = suggestions(case)
    assert s[Part.CATEGORY].label == "劳动和社会保障" and s[Part.CATEGORY].confidence == pytest.approx(0.91)
    assert s[Part.CATEGORY].model_version == "c1" and s[Part.CATEGORY].evidence == ["欠薪", "工资"]
    assert [a["label"] for a in s[Part.CATEGORY].alternatives] == ["城乡建设"]
    # no category on the case: the rules route by the suggested category
    assert s[Part.UNIT].label == "光明区人力资源局" and s[Part.UNIT].source == SuggestionSource.RULES
    assert _("Category taken from the suggestion above (“%(name)s”).") % {"name": "劳动和社会保障"} in render_all(
        s[Part.UNIT].evidence)
    assert ("route", "光明街道") in models.calls  # the router is told the street


def test_an_unsure_category_guess_does_not_steer_the_routing(gm_rules, make_case, models, org):
    models.category = [Suggestion("劳动和社会保障", 0.45, ["工资"]), Suggestion("城乡建设", 0.4)]
    models.router = [Suggestion("区教育局", 0.8, ["学校"])]
    case = make_case(description="学校门口工资纠纷，路灯坏了。")
    s = suggestions(case)
    assert s[Part.CATEGORY].label == "劳动和社会保障" and s[Part.CATEGORY].needs_operator
    assert s[Part.UNIT].source == SuggestionSource.MODEL and s[Part.UNIT].label == "光明区教育局"
    models.category = [Suggestion("劳动和社会保障", 0.9, ["工资"])]
    sure = make_case(description="学校门口工资纠纷，路灯坏了。")
    assert suggestions(sure)[Part.UNIT].label == "光明区人力资源局"  # a sure guess routes by the rules


def test_the_router_model_decides_when_no_rule_does(gm_rules, make_case, models, org):
    models.router = [Suggestion("区人力资源局", 0.8, ["欠薪 → 人力资源局"]), Suggestion("区住房建设局", 0.1),
                     Suggestion("龙岗区智慧城市运行中心", 0.05)]
    case = make_case(description="路灯坏了，晚上出行不便。")
    unit = suggestions(case)[Part.UNIT]
    assert unit.source == SuggestionSource.MODEL and unit.label == "光明区人力资源局"
    assert unit.confidence == pytest.approx(0.8) and unit.model_version == "r1"
    assert render(unit.evidence[0]) == _("No rule of the responsibility list applies; the router model, trained on past "
                                 "dispatches, proposes this unit (confidence %(pct)d%%).") % {"pct": 80}
    assert "欠薪 → 人力资源局" in unit.evidence
    assert [a["label"] for a in unit.alternatives] == ["光明区住房建设局", "光明区群众诉求服务大厅"]


def test_the_district_centre_is_a_legitimate_prediction(gm_rules, make_case, models, org):
    models.router = [Suggestion("龙岗区智慧城市运行中心", 0.75, ["多部门职责交叉"])]
    case = make_case(description="路灯坏了，晚上出行不便。")
    unit = suggestions(case)[Part.UNIT]
    assert unit.source == SuggestionSource.MODEL and unit.value == str(org.district_centre.pk)
    assert _("Past cases like this one were handled by the district operations centre.") in render_all(unit.evidence)


def test_an_unsure_model_falls_back_to_the_district_centre_and_shows_its_guess(gm_rules, make_case, models, org):
    models.router = [Suggestion("区教育局", 0.3, ["学校"]), Suggestion("区人力资源局", 0.2)]
    case = make_case(description="路灯坏了，晚上出行不便。")
    unit = suggestions(case)[Part.UNIT]
    assert unit.source == SuggestionSource.FALLBACK and unit.value == str(org.district_centre.pk)
    assert "光明区教育局" in render(unit.evidence[0]) and [a["label"] for a in unit.alternatives] == ["光明区教育局",
                                                                                             "光明区人力资源局"]


def test_a_failing_model_never_loses_a_submission(gm_rules, make_case, models, org):
    models.fail = True
    case = make_case(description=WAGES_RED, people_count=36, category=resolve_category("劳资纠纷"))
    case.refresh_from_db()
    assert Case.objects.filter(pk=case.pk).exists() and case.grade == "red"
    s = suggestions(case)
    assert s[Part.UNIT].label == "光明区人力资源局"  # the rules still route
    assert s[Part.CATEGORY].source == SuggestionSource.FALLBACK
    assert s[Part.SERVICE_TYPE].value == "mediation" and s[Part.SERVICE_TYPE].source == "rules"  # no model involved


def test_a_crash_inside_triage_leaves_the_case_as_submitted(gm_rules, make_case, monkeypatch):
    from fengqiao.triage import hooks

    def boom(case):
        TriageSuggestion.objects.create(case=case, part=Part.GRADE, value="red")
        raise RuntimeError("triage bug")

    monkeypatch.setattr(hooks, "on_submit", boom)
    case = make_case(description=WAGES_RED, people_count=36)
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    assert not TriageSuggestion.objects.filter(case=case).exists()  # its half-written work is undone
    assert list(case.events.values_list("action", flat=True)) == [Action.SUBMIT]


def test_one_failing_part_does_not_stop_the_others(gm_rules, make_case, monkeypatch):
    def boom(case):
        raise RuntimeError("grading bug")

    monkeypatch.setattr(ts, "_suggest_grade", boom)
    case = make_case(category=resolve_category("劳动和社会保障"))
    assert set(suggestions(case)) == {Part.SERVICE_TYPE, Part.CATEGORY, Part.UNIT}


WAGES_GROUP = "我们13名工人在工地干了半年，老板拖欠工资三个月不发，投诉多次没有结果。"


def test_the_service_type_of_a_group_wage_case_is_a_rule_with_its_reason_and_no_confidence(gm_rules, make_case,
                                                                                            cast):
    case = make_case(title="投诉老板拖欠工资", description=WAGES_GROUP, people_count=13,
                     service_type=ServiceType.COMPLAINT)
    s = suggestions(case)[Part.SERVICE_TYPE]
    assert (s.value, s.source, s.rule, s.confidence) == ("mediation", SuggestionSource.RULES, "wage_group", None)
    assert not s.needs_operator and not s.is_guess  # a rule that applies is an answer, not a guess
    assert "劳资纠纷" in render(s.evidence[0]) and "13" in render(s.evidence[0])
    assert [(a["value"], a["confidence"]) for a in s.alternatives] == [("complaint", None)]
    ts.triage_accept(case=case, actor=cast.op_community, part=Part.SERVICE_TYPE)  # one click
    case.refresh_from_db()
    assert case.service_type == "mediation"


def test_when_no_service_rule_applies_the_panel_asks_a_person(gm_rules, make_case, cast):
    case = make_case(description="小区门口的路灯坏了一个星期，晚上出行不便。")
    s = suggestions(case)[Part.SERVICE_TYPE]
    assert (s.value, s.source, s.confidence, s.needs_operator) == ("", SuggestionSource.FALLBACK, None, True)
    assert render_all(s.evidence) == [_("No rule of the service-type table applies: a person decides from the text.")]
    with pytest.raises(ValidationError):
        ts.triage_accept(case=case, actor=cast.op_community, part=Part.SERVICE_TYPE)


# --- a person decides ------------------------------------------------------------------------------


def test_accepting_the_unit_accepts_and_dispatches_the_case(gm_rules, make_case, cast, org):
    case = make_case(category=resolve_category("劳动和社会保障"))
    ts.triage_accept(case=case, actor=cast.op_community, part=Part.UNIT)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.holder_unit == org.hr
    unit = suggestions(case)[Part.UNIT]
    assert unit.status == SuggestionStatus.ACCEPTED and unit.decided_by == cast.op_community
    dispatch = case.events.get(action=Action.DISPATCH)
    assert dispatch.reason == _("As suggested: %(why)s") % {"why": "；".join(render_all(unit.evidence))}
    assert not TriageCorrection.objects.filter(case=case).exists()
    with pytest.raises(ValidationError):
        ts.triage_accept(case=case, actor=cast.op_community, part=Part.UNIT)


def test_a_community_matter_stays_with_the_community_centre(gm_rules, make_case, cast, org):
    case = make_case(category=resolve_category("邻里纠纷"), description="楼上邻居装修噪音，协商无果。")
    assert suggestions(case)[Part.UNIT].value == str(org.community_centre.pk)
    ts.triage_accept(case=case, actor=cast.op_community, part=Part.UNIT)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.holder_unit == org.community_centre


def test_a_street_matter_goes_up_to_the_street_centre(gm_rules, make_case, cast, org):
    case = make_case(category=resolve_category("矛盾纠纷/其他纠纷"), description="两家商户因门前空地使用发生争执。")
    ts.triage_accept(case=case, actor=cast.op_community, part=Part.UNIT)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.holder_unit == org.street_centre
    assert case.events.filter(action=Action.ESCALATE).count() == 1


def test_correcting_the_category_changes_the_case_records_training_data_and_a_note(gm_rules, make_case, cast,
                                                                                   models, django_capture_on_commit_callbacks):
    models.category = [Suggestion("城乡建设", 0.6, ["小区"])]
    case = make_case(description="公司拖欠工资两个月，老板失联。")
    wages = resolve_category("劳动和社会保障/工资福利")
    with django_capture_on_commit_callbacks() as callbacks:
        ts.triage_correct(case=case, actor=cast.op_community, part=Part.CATEGORY, value=str(wages.pk),
                          note="是欠薪，不是城建问题")
    case.refresh_from_db()
    assert case.category == wages
    row = TriageCorrection.objects.get(case=case)
    assert (row.task, row.label, row.location, row.corrected_by) == ("category", "劳动和社会保障", "光明街道",
                                                                     cast.op_community)
    assert row.body == case.description and row.title == case.title
    note = case.events.filter(action=Action.NOTE).last()
    assert "是欠薪，不是城建问题" in note.reason and note.data["recategorise"]["category"] == [None, wages.pk]
    assert not note.is_public
    s = suggestions(case)[Part.CATEGORY]
    assert s.status == SuggestionStatus.CORRECTED and s.final_label == "劳动和社会保障 → 工资福利"
    assert len(callbacks) == 1  # the retrain is enqueued once the correction is committed


def test_correcting_the_service_type(gm_rules, make_case, cast, django_capture_on_commit_callbacks):
    from fengqiao.triage.tasks import learned_from

    case = make_case()
    before = learned_from()
    with django_capture_on_commit_callbacks() as callbacks:
        ts.triage_correct(case=case, actor=cast.op_community, part=Part.SERVICE_TYPE, value="legal", note="")
    case.refresh_from_db()
    assert case.service_type == "legal"
    assert TriageCorrection.objects.get(case=case).label == "legal"  # kept for a model to come
    assert callbacks == [] and learned_from() == before  # no model learns the service type: no retrain
    with pytest.raises(ValidationError):
        ts.triage_correct(case=case, actor=cast.op_community, part=Part.SERVICE_TYPE, value="astrology")


def test_overriding_the_grade_needs_a_note_and_goes_on_the_timeline(gm_rules, make_case, cast):
    case = make_case(description=WAGES_RED, people_count=36)
    with pytest.raises(ValidationError) as exc:
        ts.triage_correct(case=case, actor=cast.op_community, part=Part.GRADE, value="yellow", note=" ")
    assert "note" in exc.value.message_dict
    ts.triage_correct(case=case, actor=cast.op_community, part=Part.GRADE, value="yellow",
                      note="已核实：工资已于今日全部结清，工人已离开")
    case.refresh_from_db()
    assert case.grade == "yellow"
    assert render(case.grade_reasons[0]) == _("Set by a person: %(note)s") % {"note": "已核实：工资已于今日全部结清，工人已离开"}
    event = case.events.filter(action=Action.REGRADE).last()
    assert event.actor == cast.op_community and event.reason == "已核实：工资已于今日全部结清，工人已离开"
    assert suggestions(case)[Part.GRADE].status == SuggestionStatus.CORRECTED


def test_correcting_the_unit_dispatches_and_records_the_reason(gm_rules, make_case, cast, org):
    case = make_case(category=resolve_category("劳动和社会保障"))
    with pytest.raises(ValidationError):
        ts.triage_correct(case=case, actor=cast.op_community, part=Part.UNIT, value=str(org.housing.pk), note="")
    ts.triage_correct(case=case, actor=cast.op_community, part=Part.UNIT, value=str(org.housing.pk),
                      note="欠薪发生在建筑工地，由住建局牵头")
    case.refresh_from_db()
    assert case.holder_unit == org.housing and case.status == Status.DISPATCHED
    assert case.events.get(action=Action.DISPATCH).reason == "欠薪发生在建筑工地，由住建局牵头"
    row = TriageCorrection.objects.get(case=case)
    assert (row.task, row.label) == ("dispatch", "光明区住房建设局")
    s = suggestions(case)[Part.UNIT]
    assert s.status == SuggestionStatus.CORRECTED and s.note == "欠薪发生在建筑工地，由住建局牵头"
    luohu = OrgUnit.objects.get(name="罗湖区综治中心")
    with pytest.raises(ValidationError):
        ts.triage_correct(case=make_case(), actor=cast.op_community, part=Part.UNIT, value=str(luohu.pk), note="x")


def test_dispatching_elsewhere_through_the_workbench_is_a_correction_too(gm_rules, make_case, cast, org):
    case = make_case(category=resolve_category("劳动和社会保障"))
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.housing)
    assert TriageCorrection.objects.get(case=case).label == "光明区住房建设局"
    assert suggestions(case)[Part.UNIT].status == SuggestionStatus.CORRECTED
    same = make_case(category=resolve_category("劳动和社会保障"))
    cs.case_accept(case=same, actor=cast.op_community)
    cs.case_dispatch(case=same, actor=cast.op_community, unit=org.hr)
    assert suggestions(same)[Part.UNIT].status == SuggestionStatus.ACCEPTED
    assert not TriageCorrection.objects.filter(case=same).exists()


def test_only_reviewers_decide_and_only_dispatchers_route(gm_rules, make_case, cast):
    case = make_case(category=resolve_category("劳动和社会保障"))
    for user in (cast.station, cast.handler, cast.outsider, cast.luohu_op, cast.auditor):
        with pytest.raises(PermissionDenied):
            ts.triage_accept(case=case, actor=user, part=Part.CATEGORY)
        with pytest.raises(PermissionDenied):
            ts.triage_correct(case=case, actor=user, part=Part.UNIT, value="1", note="x")
    assert suggestions(case)[Part.CATEGORY].status == SuggestionStatus.PENDING


# --- facts change: merge, link -----------------------------------------------------------------------


def test_merge_keeps_parties_and_attachments_counts_me_too_and_grades_again(gm_rules, make_case, cast):
    main = make_case(title="小区停车收费上涨", description="物业突然上调停车费，业主不满。", people_count=3,
                     parties=[applicant("13900000001", "张三")])
    dup = make_case(title="小区停车收费上涨", description="物业突然上调停车费，我们不同意。", people_count=3,
                    parties=[applicant("13900000002", "李四")])
    Attachment.objects.create(case=dup, file="cases/x.jpg", original_name="现场.jpg", content_type="image/jpeg",
                              size=10, sha256="a" * 64)
    Attachment.objects.create(case=main, file="cases/y.jpg", original_name="通知.jpg", content_type="image/jpeg",
                              size=10, sha256="b" * 64)
    Attachment.objects.create(case=dup, file="cases/y2.jpg", original_name="通知.jpg", content_type="image/jpeg",
                              size=10, sha256="b" * 64)  # the same file twice: kept once
    assert main.grade == "green"
    cs.case_merge(case=dup, actor=cast.op_community, into=main)
    main.refresh_from_db()
    assert set(main.parties.values_list("name", flat=True)) == {"张三", "李四"}
    assert sorted(main.attachments.values_list("original_name", flat=True)) == ["现场.jpg", "通知.jpg"]
    assert dup.attachments.count() == 2  # the merged case keeps its own record
    assert main.people_count == 6
    note = main.events.filter(action=Action.NOTE, data__has_key="merged").get()
    assert note.data == {"merged": dup.code, "me_too": 1}
    assert main.grade == "yellow" and render_all(main.grade_reasons) == ["涉及6人，属群体性诉求（5人以上）"]
    assert main.events.filter(action=Action.REGRADE, actor=None).exists()  # re-graded by the platform
    assert Notification.objects.filter(case=main, kind="case_regraded").exists()  # upward: the holder is told


def test_information_the_resident_adds_is_graded_and_a_rise_tells_the_owners(gm_rules, make_case, cast):
    case = make_case(title="工厂拖欠工资", description="老板拖欠我们三个月工资。", people_count=3,
                     category=resolve_category("劳动和社会保障"))
    ts.triage_accept(case=case, actor=cast.op_community, part=Part.UNIT)
    assert case.grade == "green"
    # a staff member's internal note is not a fact of the demand: nothing is graded again
    cs.case_note(case=case, actor=cast.op_community, text="申请人说工友们准备去拉横幅", internal=True)
    case.refresh_from_db()
    assert case.grade == "green" and not case.events.filter(action=Action.REGRADE).exists()

    cs.case_add_information(case=case, actor=None, text="  今天工友们已经在厂门口拉横幅了。 ")
    case.refresh_from_db()
    assert case.grade == "red" and "文本出现拉横幅、举牌信号：“拉横幅”" in render_all(case.grade_reasons)
    note = case.events.get(action=Action.NOTE, is_public=True)
    assert note.reason == "今天工友们已经在厂门口拉横幅了。" and note.data == {CaseEvent.INFORMATION: True}
    assert case.events.filter(action=Action.REGRADE, actor=None).exists()
    told = set(Notification.objects.filter(case=case, kind="case_regraded_red").values_list(
        "recipient__username", flat=True))
    assert {"t_handler", "t_leader"} <= told
    assert ts.added_information(case) == ["今天工友们已经在厂门口拉横幅了。"]

    with pytest.raises(ValidationError):
        cs.case_add_information(case=case, actor=None, text="   ")


def test_link_records_the_relation_both_ways_once(gm_rules, make_case, cast):
    a, b = make_case(), make_case()
    cs.case_link(case=a, actor=cast.op_community, other=b, kind="respondent")
    cs.case_link(case=b, actor=cast.op_community, other=a)  # already linked: nothing new
    assert linked_cases(a) == [{"code": b.code, "kind": "respondent"}]
    assert linked_cases(b) == [{"code": a.code, "kind": "respondent"}]
    assert a.events.filter(action=Action.NOTE).count() == 1 and not b.events.filter(action=Action.NOTE).exists()
    with pytest.raises(ValidationError):
        cs.case_link(case=a, actor=cast.op_community, other=a)
    elsewhere = make_case("440303001001")
    with pytest.raises(ValidationError):
        cs.case_link(case=a, actor=cast.op_community, other=elsewhere)  # a case this operator cannot see
    with pytest.raises(PermissionDenied):
        cs.case_link(case=a, actor=cast.handler, other=b)


def test_recategorise_needs_the_review_right_and_an_open_case(gm_rules, make_case, cast):
    case = make_case()
    with pytest.raises(PermissionDenied):
        cs.case_recategorise(case=case, actor=cast.station, service_type="legal")
    assert cs.case_recategorise(case=case, actor=cast.op_community, service_type=case.service_type) is case
    cs.case_reject(case=case, actor=cast.op_community, reason="重复")
    with pytest.raises(ValidationError):
        cs.case_recategorise(case=case, actor=cast.op_community, service_type="legal")


# --- retraining --------------------------------------------------------------------------------------


def test_corrections_retrain_and_the_new_version_is_used(gm_rules, make_case, cast, models, monkeypatch, settings,
                                                          tmp_path):
    from fengqiao.triage import tasks

    settings.FQ_TRIAGE_STAMP = tmp_path / "stamp"
    models.category = [Suggestion("城乡建设", 0.6)]
    first = make_case()
    assert suggestions(first)[Part.CATEGORY].model_version == "c1"
    trained = []

    def train(name, *args, **kwargs):
        trained.append((name, kwargs))
        models.versions["category"] = "c2"  # what train_triage writes, the registry reports

    monkeypatch.setattr(tasks, "call_command", train)
    assert tasks.retrain() == {"category": "c1", "dispatch": "r1"}  # nothing new: no run
    assert trained == []
    ts.triage_correct(case=first, actor=cast.op_community, part=Part.CATEGORY,
                      value=str(resolve_category("劳动和社会保障").pk))
    versions = tasks.retrain()
    assert trained == [("train_triage", {"with_corrections": True, "with_history": True})]
    assert versions["category"] == "c2"
    assert (tmp_path / "stamp").exists()
    assert tasks.retrain() == versions and len(trained) == 1  # nothing new since: no second run
    second = make_case()
    assert suggestions(second)[Part.CATEGORY].model_version == "c2"


def test_the_real_door_answers_with_the_registry_unless_switched_off(monkeypatch, settings):
    """A retrain elsewhere needs nothing here: the registry checks the `*.current` pointers on every call
    (test_ml_models.test_versions_and_hot_swap_through_the_pointer_file)."""
    import sys
    from types import ModuleType, SimpleNamespace

    from fengqiao.triage import mlclient

    monkeypatch.undo()  # the real mlclient.registry, over a stand-in registry module
    fake = SimpleNamespace()
    package = ModuleType("fengqiao.triage.ml")
    package.registry = fake
    monkeypatch.setitem(sys.modules, "fengqiao.triage.ml", package)
    assert mlclient.registry() is fake
    settings.FQ_TRIAGE_ML = False
    assert mlclient.registry() is None


def test_repeat_complainant_is_graded_from_the_phone_history(gm_rules, make_case):
    now = timezone.now()
    for days in (20, 10):
        make_case(parties=[applicant("13700000009")], submitted_at=now - timedelta(days=days))
    third = make_case(parties=[applicant("13700000009")], submitted_at=now)
    third.refresh_from_db()
    assert third.grade == "yellow" and render_all(third.grade_reasons) == ["同一电话30天内已提出3件诉求（重复来访）"]


def test_a_category_decision_routes_again_while_the_unit_is_open(gm_rules, make_case, cast, org):
    case = make_case(description="路灯坏了，晚上出行不便。")
    assert suggestions(case)[Part.UNIT].value == str(org.district_centre.pk)
    ts.triage_correct(case=case, actor=cast.op_community, part=Part.CATEGORY,
                      value=str(resolve_category("劳动和社会保障").pk))
    assert suggestions(case)[Part.UNIT].value == str(org.hr.pk)
    decided = make_case(description="路灯坏了。")
    ts.triage_correct(case=decided, actor=cast.op_community, part=Part.UNIT, value=str(org.housing.pk), note="住建")
    ts.triage_correct(case=decided, actor=cast.op_community, part=Part.CATEGORY,
                      value=str(resolve_category("劳动和社会保障").pk))
    assert suggestions(decided)[Part.UNIT].value == str(org.district_centre.pk)  # a person decided: left alone


def test_the_training_label_is_the_unit_that_finally_handles_the_case(gm_rules, make_case, cast, org):
    case = make_case(category=resolve_category("劳动和社会保障"))  # suggested: 人力资源局
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.housing)
    assert TriageCorrection.objects.get(case=case).label == "光明区住房建设局"
    cs.case_return(case=case, actor=cast.handler_other, reason="欠薪不属于住建局职责")
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr, note="改派人力资源局")
    assert not TriageCorrection.objects.filter(case=case).exists()  # the platform was right after all
    other = make_case(category=resolve_category("劳动和社会保障"))
    ts.triage_accept(case=other, actor=cast.op_community, part=Part.UNIT)
    cs.case_return(case=other, actor=cast.handler, reason="属于工地欠薪，应由住建局牵头")
    cs.case_dispatch(case=other, actor=cast.op_community, unit=org.housing, note="改派住建局")
    assert TriageCorrection.objects.get(case=other).label == "光明区住房建设局"
