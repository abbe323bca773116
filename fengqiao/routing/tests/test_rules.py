"""The routing decision as plain values: specificity, priority, validity, keywords, contradictions, loops."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from fengqiao.core.reasons import render
from fengqiao.routing.rules import Centre, Facts, Rule, contradicts, decide, explain, find_loop, keyword_hit

DAY = date(2026, 6, 15)
GM = "/440300/440311/"
GM_STREET = "/440300/440311/440311001/"
GM_COMMUNITY = "/440300/440311/440311001/440311001001/"
LABOUR, WAGES = 10, 11  # 劳动和社会保障 → 工资福利
DISPUTES, NEIGHBOURS = 20, 21  # 矛盾纠纷 → 邻里纠纷


def rule(id, **kw) -> Rule:
    base = {"region_path": GM, "region_name": "光明区", "unit_id": 100 + id, "unit_name": f"单位{id}"}
    base.update(kw)
    return Rule(id=id, **base)


def facts(**kw) -> Facts:
    base = {"region_path": GM_COMMUNITY, "on": DAY, "category_id": WAGES, "category_parent_id": LABOUR, "text": ""}
    base.update(kw)
    return Facts(**base)


def best(rules, **kw):
    found = decide(rules, facts(**kw))
    return found[0].rule.id if found else None


def test_second_level_category_beats_first_level_beats_no_category():
    rules = [rule(1, category_id=LABOUR, category_level=1),
             rule(2, category_id=WAGES, category_level=2, category_parent_id=LABOUR),
             rule(3, keywords=("工资",))]
    assert best(rules, text="工资") == 2
    assert [m.rule.id for m in decide(rules, facts(text="工资"))] == [2, 1, 3]
    assert best(rules[::2], text="工资") == 1


def test_keywords_beat_no_keywords_for_the_same_category():
    rules = [rule(1, category_id=LABOUR, category_level=1), rule(2, category_id=LABOUR, category_level=1,
                                                                  keywords=("社保",))]
    assert best(rules, text="公司不交社保") == 2
    assert best(rules, text="公司拖欠工资") == 1


def test_smaller_region_beats_larger_and_region_limits_the_rule():
    rules = [rule(1, category_id=LABOUR, category_level=1),
             rule(2, category_id=LABOUR, category_level=1, region_path=GM_STREET, region_name="光明街道")]
    assert best(rules) == 2
    assert best(rules, region_path="/440300/440311/440311006/440311006001/") == 1
    assert best(rules, region_path="/440300/440303/440303001/440303001001/") is None  # Luohu: neither


def test_priority_breaks_ties_then_the_newer_rule():
    rules = [rule(1, category_id=LABOUR, category_level=1, priority=100),
             rule(2, category_id=LABOUR, category_level=1, priority=200)]
    assert best(rules) == 2
    same = [rule(1, category_id=LABOUR, category_level=1), rule(2, category_id=LABOUR, category_level=1)]
    assert best(same) == 2


def test_validity_dates_and_inactive_rules():
    rules = [rule(1, category_id=LABOUR, category_level=1),
             rule(2, category_id=LABOUR, category_level=1, priority=200, valid_from=date(2026, 7, 1)),
             rule(3, category_id=LABOUR, category_level=1, priority=300, valid_to=date(2026, 6, 14)),
             rule(4, category_id=LABOUR, category_level=1, priority=400, is_active=False)]
    assert best(rules) == 1
    assert best(rules, on=date(2026, 7, 1)) == 2
    assert best(rules, on=date(2026, 6, 14)) == 3


def test_keyword_with_plus_needs_both_parts():
    assert keyword_hit(["邻居+噪音"], "楼上邻居晚上噪音很大") == "邻居+噪音"
    assert keyword_hit(["邻居+噪音"], "工地噪音很大") == ""


def test_the_level_rule_keeps_neighbour_matters_in_the_community():
    rules = [rule(1, category_id=DISPUTES, category_level=1, unit_id=None, unit_name="", centre_level="street"),
             rule(2, category_id=NEIGHBOURS, category_level=2, category_parent_id=DISPUTES, unit_id=None,
                  unit_name="", centre_level="community")]
    found = decide(rules, facts(category_id=NEIGHBOURS, category_parent_id=DISPUTES))
    assert found[0].rule.centre_level == "community"
    assert decide(rules, facts(category_id=22, category_parent_id=DISPUTES))[0].rule.centre_level == "street"


def test_no_rule_no_decision():
    assert decide([rule(1, category_id=LABOUR, category_level=1)], facts(category_id=None, category_parent_id=None)) == []


def test_explain_names_the_rule_version_and_conditions():
    r = rule(7, category_id=LABOUR, category_level=1, category_name="劳动和社会保障", version=3,
             keywords=("欠薪",), unit_name="光明区人力资源局")
    text = render(explain(decide([r], facts(text="老板欠薪"))[0]))
    conditions = _(", ").join([_("category “%(name)s”") % {"name": "劳动和社会保障"}, _("area “%(name)s”") % {
        "name": "光明区"}, _("the text mentions “%(word)s”") % {"word": "欠薪"}])
    assert text == _("Responsibility list rule #%(id)d (version %(version)d): %(conditions)s → %(target)s") % {
        "id": 7, "version": 3, "conditions": conditions, "target": "光明区人力资源局"}


def test_contradiction_same_key_other_unit_overlapping_dates():
    a = rule(1, category_id=LABOUR, category_level=1, keywords=("欠薪", "工资"))
    b = rule(2, category_id=LABOUR, category_level=1, keywords=("工资", "欠薪"), unit_id=999)
    assert contradicts(b, [a]) == a
    assert contradicts(rule(2, category_id=LABOUR, category_level=1, keywords=("工资", "欠薪"), unit_id=101),
                       [a]) is None  # the same unit: a repeat, not a contradiction
    assert contradicts(rule(2, category_id=LABOUR, category_level=1, keywords=("工资", "欠薪"), unit_id=999,
                            priority=50), [a]) is None
    earlier = rule(1, category_id=LABOUR, category_level=1, valid_to=date(2026, 1, 1))
    later = rule(2, category_id=LABOUR, category_level=1, unit_id=999, valid_from=date(2026, 1, 2))
    assert contradicts(later, [earlier]) is None


CENTRES = {
    GM: Centre(1, "区中心", GM),
    GM_STREET: Centre(2, "街道中心", GM_STREET),
    GM_COMMUNITY: Centre(3, "社区中心", GM_COMMUNITY),
}
BY_UNIT = {c.unit_id: c for c in CENTRES.values()}


def loop(new, others):
    return find_loop(new, others, centre_of=CENTRES.get, centre_by_unit=BY_UNIT.get, on=DAY)


def test_a_rule_sending_back_to_the_centre_it_came_from_is_a_loop():
    up = rule(1, category_id=LABOUR, category_level=1, region_path=GM_STREET, unit_id=1, unit_name="区中心")
    down = rule(2, category_id=LABOUR, category_level=1, region_path=GM, unit_id=2, unit_name="街道中心")
    assert loop(up, [down]) == ["街道中心", "区中心", "街道中心"]
    assert loop(down, [up]) == ["区中心", "街道中心", "区中心"]  # whichever of the two is saved second
    assert loop(up, []) is None


def test_a_rule_to_a_department_never_loops():
    up = rule(1, category_id=LABOUR, category_level=1, region_path=GM_STREET, unit_id=555)
    down = rule(2, category_id=LABOUR, category_level=1, region_path=GM, unit_id=2)
    assert loop(up, [down]) is None


def test_a_loop_through_three_centres():
    a = rule(1, category_id=LABOUR, category_level=1, region_path=GM_COMMUNITY, unit_id=2)  # community → street
    b = rule(2, category_id=LABOUR, category_level=1, region_path=GM_STREET, unit_id=1)  # street → district
    c = rule(3, category_id=LABOUR, category_level=1, region_path=GM, unit_id=3)  # district → community
    assert loop(c, [a, b]) is not None
