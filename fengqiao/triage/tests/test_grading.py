"""Each shipped grading signal, in Chinese, as the rules grade it: plain values, no database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _
from django.utils.translation import override

from fengqiao.core.reasons import render
from fengqiao.triage.defaults import DEFAULT_SIGNALS
from fengqiao.triage.grading import (
    GREEN,
    RED,
    TEXT,
    TEXT_PEOPLE,
    YELLOW,
    Facts,
    Signal,
    chinese_number,
    days_before_spring_festival,
    evaluate,
    grade,
    people_mentioned,
    signal_errors,
    spring_festival,
    yuan,
)

ORDINARY_DAY = date(2026, 6, 15)  # far from the Spring Festival


def facts(text: str, *, people: int = 1, amount=None, on: date = ORDINARY_DAY, phones=()) -> Facts:
    return Facts(text=text, on=on, people_count=people, amount=Decimal(amount) if amount is not None else None,
                 phone_case_dates=tuple(phones))


def graded(text: str, **kwargs):
    return grade(facts(text, **kwargs), DEFAULT_SIGNALS)


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def test_an_ordinary_demand_is_green_with_no_reason():
    result = graded("小区门口的路灯坏了一个星期，晚上出行不便，希望尽快维修。")
    assert result.grade == GREEN and result.reasons == ()


@pytest.mark.parametrize("text", ["老板再不给钱我就只能跳楼了", "他说活不下去了，想轻生", "丈夫多次说要自杀"])
def test_self_harm_is_red(text):
    result = graded(text)
    assert result.grade == RED and "self_harm" in codes(result)
    assert any("轻生" in r.text for r in result.reasons)


@pytest.mark.parametrize("text", ["对方扬言要动刀", "他说一定要报复我们全家", "邻居拿刀威胁"])
def test_threats_of_violence_are_red(text):
    result = graded(text)
    assert result.grade == RED and "violence" in codes(result)
    assert "暴力威胁" in result.reasons[0].text


@pytest.mark.parametrize("text", ["工人们准备明天到区政府门口聚集", "业主商量集体上访", "几十人在售楼处静坐"])
def test_gathering_and_collective_petition_are_red(text):
    result = graded(text)
    assert result.grade == RED and "gathering" in codes(result)


def test_blocking_roads_is_red():
    result = graded("村民说如果不解决就去堵路")
    assert result.grade == RED and codes(result) == {"road_block"}
    assert result.reasons[0].text == "文本出现堵路信号：“堵路”"


def test_banners_are_red():
    result = graded("有业主在小区门口拉横幅维权")
    assert result.grade == RED and codes(result) == {"banner"}


def test_wage_arrears_with_many_workers_is_red_and_with_one_worker_is_not():
    many = graded("工地老板拖欠我们工资三个月了", people=12)
    assert many.grade == RED and "wage_many" in codes(many)
    assert "欠薪涉及12人（10人以上）" in many.texts
    one = graded("工地老板拖欠我工资三个月了", people=1)
    assert "wage_many" not in codes(one) and one.grade == GREEN


def test_the_number_of_workers_is_read_from_the_text():
    result = graded("30余名工人被拖欠工资近两个月")
    assert result.grade == RED
    assert {"wage_many", "collective_red"} <= codes(result)
    assert "欠薪涉及30人（10人以上）" in result.texts


def test_wage_arrears_shortly_before_the_spring_festival_is_yellow():
    festival = spring_festival(2026)
    assert festival == date(2026, 2, 15)  # the statutory holiday (chinese-calendar) starts on 2026-02-15
    before = graded("老板欠薪两个月，过年回不了家", on=festival - timedelta(days=10))
    assert before.grade == YELLOW and codes(before) == {"wage_festival"}
    assert before.reasons[0].text.startswith("春节前10天的欠薪诉求")
    summer = graded("老板欠薪两个月，过年回不了家", on=ORDINARY_DAY)
    assert "wage_festival" not in codes(summer)
    too_early = graded("老板欠薪两个月", on=festival - timedelta(days=45))
    assert "wage_festival" not in codes(too_early)


def test_spring_festival_beyond_the_holiday_calendar_uses_the_lunar_new_year():
    assert spring_festival(2031) == date(2031, 1, 23)
    assert days_before_spring_festival(date(2031, 1, 13)) == 10
    assert days_before_spring_festival(date(2026, 12, 31)) == (spring_festival(2027) - date(2026, 12, 31)).days


@pytest.mark.parametrize(("text", "code"), [
    ("家里有个未成年的孩子无人照看", "minors"),
    ("小孩在工地附近玩耍很危险", "minors"),
    ("楼上住着一位80岁的独居老人", "elderly"),
    ("我是残疾人，无障碍通道被占用", "disabled"),
    ("母亲瘫痪在床，需要救助", "disabled"),
])
def test_minors_elderly_and_disabled_people_are_yellow(text, code):
    result = graded(text)
    assert result.grade == YELLOW and code in codes(result)


def test_a_repeat_complainant_same_phone_three_cases_in_30_days_is_yellow():
    day = ORDINARY_DAY
    three = graded("噪音扰民又一次反映", phones=[day - timedelta(days=20), day - timedelta(days=5), day])
    assert three.grade == YELLOW and "repeat" in codes(three)
    assert "同一电话30天内已提出3件诉求（重复来访）" in three.texts
    old = graded("噪音扰民又一次反映", phones=[day - timedelta(days=60), day - timedelta(days=5), day])
    assert "repeat" not in codes(old)


@pytest.mark.parametrize(("people", "expected"), [(4, GREEN), (5, YELLOW), (29, YELLOW), (30, RED)])
def test_collective_case_thresholds(people, expected):
    result = graded("小区停车收费不合理", people=people)
    assert result.grade == expected
    if expected == YELLOW:
        assert result.texts == [f"涉及{people}人，属群体性诉求（5人以上）"]


@pytest.mark.parametrize(("amount", "expected"), [(99_999, GREEN), (100_000, YELLOW), (1_000_000, RED)])
def test_money_thresholds(amount, expected):
    assert graded("工程款纠纷", amount=amount).grade == expected


def test_money_reason_reads_in_wan_yuan():
    result = graded("工程款纠纷", amount=420_000)
    assert result.texts == ["涉及金额42万元，达到10万元以上"]


def test_urgency_and_danger():
    assert graded("情况十分紧急，请马上处理").grade == YELLOW
    danger = graded("出租屋燃气泄漏，有生命危险")
    assert danger.grade == RED and "danger" in codes(danger)


def test_several_signals_give_every_reason_reddest_first():
    result = graded("邻居因噪音问题多次争吵，对方扬言要动刀，家中有80岁老人和小孩", people=3)
    assert result.grade == RED
    assert [r.code for r in result.reasons] == ["violence", "minors", "elderly"]
    assert [r.grade for r in result.reasons] == [RED, YELLOW, YELLOW]


def test_people_mentioned_reads_arabic_and_chinese_numbers():
    assert people_mentioned("30余名工人") == 30
    assert people_mentioned("三十多名业主来到现场") == 30
    assert people_mentioned("两百名员工") == 200
    assert people_mentioned("十二位家长") == 12
    assert people_mentioned("家有80岁老人") == 0  # an age is not a number of people
    assert people_mentioned("欠款2023元") == 0
    assert chinese_number("十") == 10 and chinese_number("二十五") == 25 and chinese_number("甲") is None


def test_a_keyword_with_plus_needs_every_part():
    signal = Signal("t", "text", YELLOW, "{keyword}", ("工资+拖欠",))
    assert evaluate(signal, facts("工资被拖欠了")).text == "工资+拖欠"
    assert evaluate(signal, facts("工资按时发放")) is None


def test_a_badly_written_reason_never_breaks_grading():
    signal = Signal("t", "text", RED, "信号 {keyword} {unknown} {", ("堵路",))
    assert evaluate(signal, facts("要去堵路")).text == "信号 {keyword} {unknown} {"


def test_yuan_formatting():
    assert render(yuan(Decimal(800))) == "800元" and render(yuan(Decimal(12000))) == "1.2万元" and yuan(None) == ""
    with override("en"):
        assert render(yuan(Decimal(800))) == "800 yuan" and render(yuan(Decimal(1_200_000))) == "1,200,000 yuan"


def test_rule_checks_name_the_field():
    assert signal_errors(kind="text", keywords=[], threshold=None, window_days=None, reason="x") == {
        "keywords": _("This kind of rule needs at least one keyword.")}
    assert set(signal_errors(kind="repeat", keywords=[], threshold=None, window_days=None, reason="{count}")) == {
        "threshold", "window_days"}
    assert "reason" in signal_errors(kind="people", keywords=[], threshold=5, window_days=None, reason="{peple}")
    assert signal_errors(kind="people", keywords=[], threshold=5, window_days=None, reason="涉及{people}人") == {}


def test_every_shipped_signal_is_valid():
    for s in DEFAULT_SIGNALS:
        assert signal_errors(kind=s.kind, keywords=s.keywords, threshold=s.threshold, window_days=s.window_days,
                             reason=s.reason) == {}, s.code


def test_of_two_thresholds_on_one_figure_only_the_higher_passed_one_is_a_reason():
    result = graded("小区停车收费不合理", people=40, amount=2_000_000)
    assert result.texts == ["涉及40人，达到30人以上", "涉及金额200万元，达到100万元以上"]


# --- reasons are messages, read in the reader's language --------------------------------------------------


def test_a_reason_is_stored_once_and_read_in_each_language():
    result = graded("工地老板拖欠工资三个月，工友们都很着急", people=23, amount=420_000)
    wages = next(r for r in result.reasons if r.code == "wage_many")
    money = next(r for r in result.reasons if r.code == "money")
    assert wages.message["args"] == {"people": 23, "threshold": "10"}  # the figures, not a sentence
    assert render(wages.message) == "欠薪涉及23人（10人以上）"
    assert render(money.message) == "涉及金额42万元，达到10万元以上"
    with override("en"):
        assert render(wages.message) == "Wage arrears involving 23 people (10 or more)"
        assert render(money.message) == "Money involved: 420,000 yuan, 100,000 yuan or more"


def test_a_reason_an_administrator_wrote_is_shown_as_written_in_every_language():
    mine = Signal("wage_site", TEXT_PEOPLE, RED, "工地欠薪{people}人，请重点关注", ("欠薪",), threshold=Decimal(5))
    broken = Signal("broken", TEXT, YELLOW, "写错的占位符{keyword", ("欠薪",))
    result = grade(facts("工地欠薪，工人没拿到钱", people=8), [mine, broken])
    for language in ("zh-hans", "en"):
        with override(language):
            assert result.texts == ["工地欠薪8人，请重点关注", "写错的占位符{keyword"]


def test_plain_text_stored_before_reasons_were_messages_is_shown_as_it_is():
    with override("en"):
        assert render("欠薪涉及23人（10人以上）") == "欠薪涉及23人（10人以上）"
