"""The service-type rule table: plain facts in, the service a rule points to and its reason out. No database.

The wage-arrears cases of the issue (13–36 workers, filed by residents as dispute mediation, suggested as a
complaint by the former keyword weights) are a group's labour dispute, even when the text says 投诉."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from fengqiao.core.reasons import render
from fengqiao.triage.service_rules import RULES, Facts, apply, matches


def first(title: str, description: str = "", **kwargs) -> tuple[str, str, str] | None:
    found = matches(Facts(title=title, description=description, **kwargs))
    return (found[0].service_type, found[0].code, render(found[0].reason)) if found else None


@pytest.mark.parametrize(("title", "description", "people"), [
    ("工地欠薪", "30余名工人被拖欠工资近两个月，工人情绪激动，扬言要到区政府门口聚集讨薪。", 36),
    ("投诉老板拖欠工资", "我们13名工人在工地干了半年，老板拖欠工资三个月不发，投诉多次没有结果。", 13),
    ("工厂欠薪", "公司欠薪两个月，涉及二十多名员工，老板说没钱。", 1),
    ("工资没发", "厂里已经两个月工资没发了，大家都等着回家过年。", 23),
])
def test_a_group_wage_arrears_is_a_dispute_for_mediation(title, description, people):
    service, code, why = first(title, description, people_count=people)
    assert (service, code) == ("mediation", "wage_group")
    assert "劳资纠纷" in why and "纠纷调解" in why and "%" not in why
    with override("en"):
        why = render(matches(Facts(title=title, description=description, people_count=people))[0].reason)
    assert why.startswith("Wage arrears of ") and "dispute mediation" in why


def test_one_worker_owed_wages_who_complains_is_a_complaint():
    assert first("投诉老板拖欠工资", "老板拖欠我一个人的工资两个月，我要投诉。", people_count=1)[:2] == (
        "complaint", "complaint")


def test_the_complaint_words_of_a_group_wage_case_are_the_next_candidate():
    found = matches(Facts(title="投诉欠薪", description="我们15名工人被拖欠工资，投诉无门。", people_count=15))
    assert [(m.service_type, m.code) for m in found] == [("mediation", "wage_group"), ("complaint", "complaint")]


@pytest.mark.parametrize(("title", "description", "expected"), [
    ("楼上漏水", "楼上邻居家漏水，协商不成，希望社区调解。", ("mediation", "dispute")),
    ("咨询", "请问公司不签劳动合同合法吗？想申请法律援助。", ("legal", "legal")),
    ("求助", "最近情绪低落，失眠，有时想不开。", ("psychological", "distress")),
    ("生活困难", "家里老人生病，生活困难，想申请低保。", ("assistance", "assistance")),
    ("噪音", "工地夜间施工噪音扰民，投诉多次。", ("complaint", "complaint")),
    ("ＡＢ投诉", "全角字母也照样认得：投诉。", ("complaint", "complaint")),
])
def test_each_service_has_its_rule(title, description, expected):
    assert first(title, description)[:2] == expected


def test_the_catalogue_service_of_the_category_is_a_rule_but_complaint_tells_nothing():
    assert first("路灯", "小区路灯坏了很久", category="劳资纠纷", category_service_type="mediation")[:2] == (
        "mediation", "category")
    assert first("路灯", "小区路灯坏了很久", category="城市建设和市政管理", category_service_type="complaint") is None


def test_no_rule_gives_no_answer():
    assert matches(Facts(title="路灯", description="小区门口的路灯坏了一个星期。")) == []


def test_every_rule_names_its_service_and_fills_its_reason_in_both_languages():
    facts = Facts(title="投诉 纠纷 律师 低保 心理 轻生", description="欠薪 工资", people_count=40, category="劳资纠纷",
                  category_service_type="mediation")
    for rule in RULES:
        found = apply(rule, facts)
        assert found is not None, rule.code
        for language in ("zh-hans", "en"):
            with override(language):
                text = render(found.reason)
            assert text and "%(" not in text and "{" not in text, (rule.code, language, text)
