"""The triage panel on the case page: reasons shown, accept and correct by plain posts, refusals shown, merge and
link from the duplicates list, who sees which buttons, and a query budget that does not grow."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Party, ServiceType
from fengqiao.cases.workflow import Action, Status
from fengqiao.core.reasons import render
from fengqiao.routing.services import resolve_category
from fengqiao.triage import mlclient
from fengqiao.triage.models import Part, SuggestionStatus, TriageCorrection, TriageSuggestion

REAL_REGISTRY = mlclient.registry  # before the tests' fixture switches the models off

pytestmark = pytest.mark.django_db

RED_TEXT = "邻居因噪音问题多次争吵，对方扬言要动刀，家中有80岁老人和小孩，请求尽快处理。"
ROAD = "光明大街12号门口道路塌陷，形成大坑，车辆无法通行，请尽快修复。"


def page(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.code]))
    assert response.status_code == 200
    return response.content.decode()


def part_html(html: str, part: str) -> str:
    match = re.search(rf'<div class="triage-part" data-part="{part}".*?(?=<div class="triage-part"|</section>)', html,
                      re.S)
    assert match, part
    return match.group(0)


def test_the_operator_sees_grade_reasons_and_the_unit_with_its_rule(gm_rules, make_case, cast, client_for):
    case = make_case(title="邻里纠纷", description=RED_TEXT, category=resolve_category("邻里纠纷"))
    html = page(client_for(cast.op_community), case)
    grade = part_html(html, "grade")
    assert "文本出现暴力威胁信号：“动刀”" in grade and "涉及老年人：“老人”" in grade and "涉及未成年人：“小孩”" in grade
    unit = part_html(html, "unit")
    rule = TriageSuggestion.objects.get(case=case, part=Part.UNIT)
    assert "光明社区群众诉求服务中心" in unit and escape(render(rule.evidence[0])) in unit and "邻里纠纷" in unit
    assert reverse("triage:accept", args=[case.code, "unit"]) in unit
    assert reverse("triage:correct", args=[case.code, "grade"]) in grade


def test_accept_the_unit_by_a_plain_post(gm_rules, make_case, cast, client_for, org):
    case = make_case(category=resolve_category("劳动和社会保障"), description="公司拖欠工资两个月。")
    client = client_for(cast.op_community)
    response = client.post(reverse("triage:accept", args=[case.code, "unit"]))
    # dispatched away from the community: the operator still sees it (the place is theirs), back on the case page
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.code}/#triage")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.holder_unit == org.hr
    html = page(client, case)
    assert 'data-status="accepted"' in part_html(html, "unit")


def test_correct_the_category_with_a_note_by_a_plain_post(gm_rules, make_case, cast, client_for):
    case = make_case(description="公司拖欠工资两个月。")
    wages = resolve_category("劳动和社会保障/工资福利")
    client = client_for(cast.op_community)
    response = client.post(reverse("triage:correct", args=[case.code, "category"]),
                           {"value": wages.pk, "note": "属于欠薪"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category == wages
    assert TriageCorrection.objects.get(case=case).label == "劳动和社会保障"
    html = page(client, case)
    assert "属于欠薪" in html  # on the timeline and in the decision
    assert 'data-status="corrected"' in part_html(html, "category")


def test_a_grade_override_without_a_note_is_refused_and_says_why(gm_rules, make_case, cast, client_for):
    case = make_case(description=RED_TEXT)
    client = client_for(cast.op_community)
    response = client.post(reverse("triage:correct", args=[case.code, "grade"]), {"value": "green", "note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(_("Say why you decide otherwise than the platform: the note is kept on the timeline.")) in part_html(
        html, "grade")
    assert Case.objects.get(pk=case.pk).grade == "red"
    ok = client.post(reverse("triage:correct", args=[case.code, "grade"]),
                     {"value": "yellow", "note": "双方已在社区调解下和解"})
    assert ok.status_code == 302 and Case.objects.get(pk=case.pk).grade == "yellow"


def test_refusals_keep_the_case_unchanged(gm_rules, make_case, cast, client_for):
    case = make_case(category=resolve_category("劳动和社会保障"))
    station = client_for(cast.station)
    assert station.post(reverse("triage:accept", args=[case.code, "unit"])).status_code == 403
    assert station.post(reverse("triage:correct", args=[case.code, "category"]), {"value": "1"}).status_code == 403
    outsider = client_for(cast.outsider)
    assert outsider.post(reverse("triage:accept", args=[case.code, "unit"])).status_code == 404
    client = client_for(cast.op_community)
    assert client.post(reverse("triage:accept", args=[case.code, "colour"])).status_code == 404
    assert client.get(reverse("triage:accept", args=[case.code, "unit"])).status_code == 405
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    assert TriageSuggestion.objects.get(case=case, part=Part.UNIT).status == SuggestionStatus.PENDING


def test_who_sees_which_buttons(gm_rules, make_case, cast, client_for):
    case = make_case(category=resolve_category("劳动和社会保障"), description=RED_TEXT)
    handler_view = None
    for user, buttons in ((cast.op_community, True), (cast.station, False), (cast.auditor, False)):
        html = page(client_for(user), case)
        assert "文本出现暴力威胁信号" in html  # everyone who works on the case sees the reasons
        assert (reverse("triage:accept", args=[case.code, "grade"]) in html) is buttons, user
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=cs.OrgUnit.objects.get(name="光明区人力资源局"))
    handler_view = page(client_for(cast.handler), case)
    assert "文本出现暴力威胁信号" in handler_view
    assert reverse("triage:correct", args=[case.code, "grade"]) not in handler_view


def test_merge_and_link_from_the_duplicates_list(gm_rules, make_case, cast, client_for):
    first = make_case(title="门口道路塌陷", description=ROAD,
                      parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="张三", phone="13900000001")])
    second = make_case(title="门口道路塌陷", description=ROAD,
                       parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="李四", phone="13900000002")])
    third = make_case(title="门口道路塌陷", description=ROAD)
    client = client_for(cast.op_community)
    html = page(client, second)
    related = part_html(html, "related")
    assert first.code in related and escape(_("Merge this case into it")) in related
    assert escape(_("similar text (%(pct)d%%), same street") % {"pct": 100}) in related
    response = client.post(reverse("triage:merge", args=[second.code]),
                           {"other": first.code, "direction": "into_other"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert Case.objects.get(pk=second.pk).status == Status.MERGED and first.people_count == 2
    assert set(first.parties.values_list("name", flat=True)) == {"张三", "李四"}
    main = page(client, first)
    assert escape(ngettext(
        "%(n)s duplicate was merged into this case (“me too”); its residents are counted in the people involved.",
        "%(n)s duplicates were merged into this case (“me too”); their residents are counted in the people involved.",
        1) % {"n": 1}) in main
    response = client.post(reverse("triage:link", args=[first.code]), {"other": third.code, "kind": "text"})
    assert response.status_code == 302
    assert third.code in part_html(page(client, first), "related").split(escape(_("Linked cases:")))[1]
    bad = client.post(reverse("triage:link", args=[first.code]), {"other": "GM-2000-000000"})
    assert bad.status_code == 400


def test_the_case_page_query_budget_does_not_grow_with_related_cases(gm_rules, make_case, cast, client_for,
                                                                    django_assert_max_num_queries):
    client = client_for(cast.op_community)
    case = make_case(title="门口道路塌陷", description=ROAD, category=resolve_category("城乡建设"))
    page(client, case)  # warm the session
    # 30 for the page as it was, then the commands panel (its commands; for a centre's operator the issuing centre
    # and the departments offered) and the leader-in-charge panel: 4 more, none per related case
    with django_assert_max_num_queries(34) as few:
        page(client, case)
    for _n in range(8):
        make_case(title="门口道路塌陷", description=ROAD)
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        html = page(client, case)
    assert html.count("data-related=") == 8


def test_the_timeline_shows_the_platform_grading_and_the_persons_decisions(gm_rules, make_case, cast, client_for):
    case = make_case(description=RED_TEXT)
    client = client_for(cast.op_community)
    client.post(reverse("triage:correct", args=[case.code, "service_type"]), {"value": "mediation", "note": "邻里调解"})
    events = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", "actor__username"))
    assert events == [(Action.SUBMIT, None), (Action.NOTE, "t_op_community")]
    html = page(client, case)
    assert "文本出现暴力威胁信号：“动刀”" in html and "邻里调解" in html


def test_suggest_now_for_a_case_taken_in_before_triage(gm_rules, make_case, cast, client_for):
    case = make_case(category=resolve_category("劳动和社会保障"))
    TriageSuggestion.objects.filter(case=case).delete()
    client = client_for(cast.op_community)
    assert reverse("triage:run", args=[case.code]) in page(client, case)
    assert client_for(cast.station).post(reverse("triage:run", args=[case.code])).status_code == 403
    assert client.post(reverse("triage:run", args=[case.code])).status_code == 302
    assert set(TriageSuggestion.objects.filter(case=case).values_list("part", flat=True)) == set(Part.values)


def test_an_unsure_guess_is_not_one_click_the_operator_chooses_with_it_selected(gm_rules, make_case, cast, client_for,
                                                                                models):
    from fengqiao.triage.tests.conftest import Suggestion

    labour = resolve_category("劳动和社会保障")
    models.category = [Suggestion("劳动和社会保障", 0.42, ["工资"]), Suggestion("城乡建设", 0.3)]
    unsure = make_case(description="公司拖欠工资两个月。")
    category = part_html(page(client_for(cast.op_community), unsure), "category")
    assert reverse("triage:accept", args=[unsure.code, "category"]) not in category
    assert escape(_("The model is not sure enough to fill this in: decide below (its guess is selected).")) in category
    assert f'<option value="{labour.pk}" selected>' in category
    client_for(cast.op_community).post(reverse("triage:accept", args=[unsure.code, "category"]))
    unsure.refresh_from_db()
    assert unsure.category_id is None  # a guess cannot be accepted by a crafted post either
    assert not TriageSuggestion.objects.get(case=unsure, part=Part.CATEGORY).is_decided

    models.category = [Suggestion("劳动和社会保障", 0.93, ["工资"])]
    sure = make_case(description="公司拖欠工资两个月。")
    category = part_html(page(client_for(cast.op_community), sure), "category")
    assert reverse("triage:accept", args=[sure.code, "category"]) in category
    assert f'<option value="{labour.pk}" selected>' not in category  # the case has no category yet


def test_the_reasons_are_shown_in_the_readers_language_not_the_one_they_were_computed_in(
        gm_rules, make_case, cast, client_for, settings):
    case = make_case(description="路灯坏了一个星期，晚上出行不便。")  # triaged while Chinese is active
    client = client_for(cast.op_community)
    unit = part_html(page(client, case), "unit")
    assert escape(_("No rule of the responsibility list applies and the router model gave no answer: the district "
                    "centre dispatches by hand.")) in unit
    assert "No rule of the responsibility list applies" not in unit
    assert "三类（绿色）" in part_html(page(client, case), "grade")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, case)
    assert ("No rule of the responsibility list applies and the router model gave no answer: the district centre "
            "dispatches by hand.") in part_html(html, "unit")
    grade = part_html(html, "grade")
    assert "Class 3 (green)" in grade and "No grading rule applies: class 3 (green)." in grade and "三类" not in grade


def test_a_rule_reference_and_the_labels_of_choices_are_worded_for_the_reader(gm_rules, make_case, cast,
                                                                              client_for, settings):
    case = make_case(title="邻里纠纷", description=RED_TEXT, category=resolve_category("邻里纠纷"))
    unit = TriageSuggestion.objects.get(case=case, part=Part.UNIT)
    service = TriageSuggestion.objects.get(case=case, part=Part.SERVICE_TYPE)
    assert re.fullmatch(r"#\d+ v\d+", unit.rule)
    client = client_for(cast.op_community)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, case)
    rule_id, version = re.fullmatch(r"#(\d+) v(\d+)", unit.rule).groups()
    assert f"rule #{rule_id} v{version}" in part_html(html, "unit")
    with override("en"):
        shown = str(ServiceType(service.value).label)
    assert shown.isascii() and escape(shown) in part_html(html, "service_type")


# --- the service type is a rule; grade reasons are read in the reader's language --------------------------

WAGES_GROUP = "我们23名工人在工地干了半年，老板拖欠工资三个月不发，投诉多次没有结果。"


def why_this_grade(html: str) -> list[str]:
    match = re.search(r'<ul class="reasons">(.*?)</ul>', html, re.S)
    assert match, "no “Why this grade” list"
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S)


@pytest.mark.parametrize(("language", "words"), [("zh-hans", ("劳资纠纷", "纠纷调解", "规则判定")),
                                                  ("en", ("labour dispute", "dispute mediation", "by the rules"))])
def test_the_service_type_is_shown_as_a_rule_with_its_reason_and_no_percentage(
        gm_rules, make_case, cast, client_for, settings, monkeypatch, language, words):
    monkeypatch.setattr(mlclient, "registry", REAL_REGISTRY)  # whatever the platform would really answer
    case = make_case(title="投诉老板拖欠工资", description=WAGES_GROUP, people_count=23,
                     service_type=ServiceType.COMPLAINT)
    client = client_for(cast.op_community)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    service = part_html(page(client, case), "service_type")
    with override(language):
        mediation = str(ServiceType.MEDIATION.label)
    assert re.search(rf'<strong class="value">{re.escape(mediation)}</strong>', service)
    assert "%" not in service and 'class="confidence"' not in service
    assert all(escape(w) in service for w in words) and "23" in service
    assert reverse("triage:accept", args=[case.code, "service_type"]) in service  # a rule's answer: one click


def test_grade_reasons_are_read_in_the_readers_language(gm_rules, make_case, cast, client_for, settings):
    case = make_case(title="工地欠薪", description=WAGES_GROUP, people_count=23, amount=420_000)
    client = client_for(cast.op_community)
    html = page(client, case)
    assert {"欠薪涉及23人（10人以上）", "涉及金额42万元，达到10万元以上"} <= set(why_this_grade(html))
    assert "欠薪涉及23人（10人以上）" in part_html(html, "grade")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, case)
    assert {"Wage arrears involving 23 people (10 or more)", "Money involved: 420,000 yuan, 100,000 yuan or more"} <= set(
        why_this_grade(html))
    grade = part_html(html, "grade")
    assert "Wage arrears involving 23 people (10 or more)" in grade and "欠薪" not in grade


def test_grade_reasons_stored_as_text_before_are_shown_as_they_are(gm_rules, make_case, cast, client_for, settings):
    case = make_case(title="工地欠薪", description=WAGES_GROUP, people_count=23)
    Case.objects.filter(pk=case.pk).update(grade_reasons=["欠薪涉及23人（10人以上）"])
    client = client_for(cast.op_community)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert why_this_grade(page(client, case)) == ["欠薪涉及23人（10人以上）"]
