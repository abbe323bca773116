"""The router's Longgang unit labels mapped onto the units of the case's own district."""

from __future__ import annotations

import pytest

from fengqiao.org.models import Region
from fengqiao.triage.units import map_router_label

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("label", "unit"), [
    ("区人力资源局", "光明区人力资源局"),
    ("区住房建设局", "光明区住房建设局"),
    ("市市场监督管理局龙岗监管局", "市市场监督管理局光明监管局"),
    ("龙岗区卫生健康局", "光明区卫生健康局"),
    ("龙岗交警大队", "光明交警大队"),
    ("龙岗公安分局", "深圳市公安局光明分局"),
    ("区发展改革局", "光明区发展和改革局"),
    ("团区委", "共青团光明区委"),
    ("光明区教育局", "光明区教育局"),  # a label already in this district's names (corrections train on them)
    ("龙岗区智慧城市运行中心", "光明区群众诉求服务大厅"),  # the catch-all: the district centre
])
def test_guangming_names(org, label, unit):
    assert map_router_label(label, Region.objects.get(code="440311")).name == unit


def test_the_catch_all_is_the_centre_of_the_cases_district(org):
    assert map_router_label("龙岗区智慧城市运行中心", Region.objects.get(code="440303")) == org.luohu_centre


def test_unknown_or_ambiguous_labels_map_to_nothing(org):
    gm = Region.objects.get(code="440311")
    assert map_router_label("火星移民局", gm) is None
    assert map_router_label("", gm) is None
    assert map_router_label("局", gm) is None
