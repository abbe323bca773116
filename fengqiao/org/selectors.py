"""Named reads over the organisation."""

from __future__ import annotations

from fengqiao.org.models import OrgUnit, Region, RegionLevel
from fengqiao.org.rules import CENTRE_FOR_LEVEL, CENTRE_PARENT_KIND


def centre_for_region(region: Region) -> OrgUnit | None:
    """The centre that takes in demands raised in `region` (a grid's community centre for a grid)."""
    node: Region | None = region
    while node is not None:
        kind = CENTRE_FOR_LEVEL.get(node.level)
        if kind is not None:
            unit = OrgUnit.objects.filter(region=node, kind=kind, is_active=True).first()
            if unit is not None:
                return unit
        if node.level == RegionLevel.CITY:
            return None
        node = node.parent
    return None


def parent_centre(unit: OrgUnit) -> OrgUnit | None:
    """The next centre up: community → street → district; None at the district."""
    wanted = CENTRE_PARENT_KIND.get(unit.kind)
    node = unit.parent
    while node is not None:
        if node.kind == wanted:
            return node
        node = node.parent
    return None
