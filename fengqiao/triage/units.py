"""Turn the router model's unit labels into this district's units.

The router learned from Longgang's dispatch records (fengqiao.triage.ml), so it speaks of 区人力资源局,
市市场监督管理局龙岗监管局 or 龙岗区智慧城市运行中心. The same bureaus exist in every Shenzhen district
under the district's own name: 区人力资源局 → 光明区人力资源局, …龙岗监管局 → …光明监管局; the catch-all
operations centre is the district centre of the case's district. What cannot be matched by name is
matched by the overlap of characters, and only when one unit clearly fits; otherwise None.
"""

from __future__ import annotations

import re

from fengqiao.intake.duplicates import bigrams
from fengqiao.org.models import OrgUnit, Region
from fengqiao.org.rules import CENTRE_KINDS
from fengqiao.org.selectors import centre_for_region

SOURCE_DISTRICTS = ("龙岗",)
CATCH_ALL = ("智慧城市运行中心", "智慧城区运行中心", "城市运行中心", "运行中心")
ALIASES = {
    "团区委": "共青团{d}区委",
    "区发展改革局": "{d}区发展和改革局",
    "区政务服务数据管理局": "{d}区政务服务和数据管理局",
    "龙岗公安分局": "深圳市公安局{d}分局",
}
FUZZY_MIN = 0.7


def district_short(district: Region) -> str:
    """光明区 → 光明."""
    return district.name.removesuffix("区")


def _core(name: str, shorts: tuple[str, ...]) -> str:
    for short in shorts:
        name = name.replace(f"{short}区", "").replace(short, "")
    return re.sub(r"^(深圳市|深圳|市|区)", "", name)


def is_catch_all(label: str) -> bool:
    return any(token in label for token in CATCH_ALL)


def district_units(district: Region) -> list[OrgUnit]:
    centre = centre_for_region(district)
    if centre is None:
        return []
    return list(OrgUnit.objects.filter(path__startswith=centre.path, is_active=True))


def map_router_label(label: str, district: Region, units: list[OrgUnit] | None = None) -> OrgUnit | None:
    """The unit of `district` that the router's `label` stands for, or None when none clearly does."""
    label = (label or "").strip()
    if not label:
        return None
    units = units if units is not None else district_units(district)
    if is_catch_all(label):
        return next((u for u in units if u.region_id == district.pk and u.kind == "district_centre"), None) or \
            centre_for_region(district)
    by_name = {u.name: u for u in units}
    if label in by_name:
        return by_name[label]
    short = district_short(district)
    tries = []
    for source in SOURCE_DISTRICTS:
        tries.append(label.replace(f"{source}区", f"{short}区").replace(source, short))
    if label.startswith("区"):
        tries.append(short + label)
    if label in ALIASES:
        tries.append(ALIASES[label].format(d=short))
    for name in tries:
        if name in by_name:
            return by_name[name]
    wanted = bigrams(_core(label, SOURCE_DISTRICTS))
    if len(wanted) < 2:
        return None
    scored = []
    for unit in units:
        if unit.kind in CENTRE_KINDS:
            continue
        have = bigrams(_core(unit.name, (short,)))
        if have:
            scored.append((len(wanted & have) / len(wanted), -len(have), unit))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    if not scored or scored[0][0] < FUZZY_MIN:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1] == scored[0][1]:
        return None  # two units fit equally well: let a person choose
    return scored[0][2]
