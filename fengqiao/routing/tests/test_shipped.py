"""The shipped responsibility list of Guangming, routing real places: the seven first-level categories to the real
departments, more specific rules first, community matters kept in the community (小事不出社区)."""

from __future__ import annotations

import pytest

from fengqiao.routing.services import load_default_rules
from fengqiao.routing.tests.helpers import cat, routed

pytestmark = pytest.mark.django_db



def test_the_shipped_list_maps_the_seven_first_level_categories_to_real_departments(gm_rules):
    assert gm_rules >= 30
    expected = {
        "城乡建设": "光明区住房建设局",
        "环境保护": "市生态环境局光明管理局",
        "交通运输": "市交通运输局光明管理局",
        "教育文体": "光明区教育局",
        "劳动和社会保障": "光明区人力资源局",
        "商贸旅游": "市市场监督管理局光明监管局",
        "卫生计生": "光明区卫生健康局",
    }
    for name, unit in expected.items():
        assert routed(cat(name), "一般诉求")[0] == unit, name
    assert load_default_rules("440311") == 0  # loading twice adds nothing


def test_more_specific_rules_win(gm_rules):
    assert routed(cat("劳动和社会保障/城镇职工社会保险"))[0] == "光明社保分局"
    assert routed(cat("城乡建设"), "小区旁边有人私搭乱建")[0] == "光明区规划土地监察局"
    assert routed(cat("卫生计生/食品药品监管"))[0] == "市市场监督管理局光明监管局"


def test_community_matters_stay_in_the_community_of_the_place(gm_rules):
    assert routed(cat("邻里纠纷"), "楼上漏水")[0] == "光明社区群众诉求服务中心"
    assert routed(cat("邻里纠纷"), "楼上漏水", code="440311006001")[0] == "薯田埔社区群众诉求服务中心"
    assert routed(cat("环境保护"), "楼上邻居每晚噪音扰民")[0] == "光明社区群众诉求服务中心"
    assert routed(cat("环境保护"), "工厂排放废水")[0] == "市生态环境局光明管理局"
    # other disputes go to the street ("大事不出街道"), some to their department
    assert routed(cat("矛盾纠纷/其他纠纷"))[0] == "光明街道群众诉求服务大厅"
    assert routed(cat("劳资纠纷"))[0] == "光明区人力资源局"


def test_alternatives_come_after_the_best_rule(gm_rules):
    units = routed(cat("劳动和社会保障/城镇职工社会保险"))
    assert units[:2] == ["光明社保分局", "光明区人力资源局"]


def test_nothing_applies_outside_the_district_or_without_category_or_keyword(gm_rules):
    assert routed(cat("劳动和社会保障"), code="440303001001") == []  # a Luohu community: no Guangming rule
    assert routed(None, "路灯坏了") == []
    assert routed(None, "邻居装修噪音")[0] == "光明社区群众诉求服务中心"
