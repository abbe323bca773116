"""Small helpers of the routing tests: categories by path, places by code, and where a case would go."""

from __future__ import annotations

from fengqiao.cases.models import Category
from fengqiao.org.models import Region
from fengqiao.routing.services import resolve_category, route

COMMUNITY = "440311001001"  # 光明街道 光明社区


def cat(path: str) -> Category:
    return resolve_category(path)


def place(code: str = COMMUNITY) -> Region:
    return Region.objects.get(code=code)


def routed(category, text="", code=COMMUNITY, on=None):
    return [r.unit.name for r in route(region=place(code), category=category, text=text, on=on)]
