"""Loading and removing a region's outline, all or nothing, with a record of every change.

The checks are fengqiao.org.boundaries (pure); this module finds what they compare with (the city's outline, the
parent's), writes ``Region.boundary`` (and the region's point when it has none or the point falls outside the new
outline) and adds a ``BoundaryChange`` row in the same transaction. Used by the administrator's page
(fengqiao.org.boundary_views) and by ``./fq manage load_boundary``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from fengqiao.org import boundaries
from fengqiao.org.access import Capability, scope_for
from fengqiao.org.models import BoundaryChange, Membership, Region, RegionLevel

DATA = Path(__file__).resolve().parent / "data"
# The city's outline when the city region has none loaded (the union of Shenzhen's nine district outlines,
# fengqiao/org/data/SOURCES.md).
SHIPPED_CITY_OUTLINES = {"440300": "shenzhen_city_wgs84.geojson"}
POINT_TOLERANCE = 0.0005  # degrees: a point this close to the new outline is kept


@functools.cache
def _shipped_city(code: str) -> BaseGeometry | None:
    name = SHIPPED_CITY_OUTLINES.get(code)
    if not name:
        return None
    doc = json.loads((DATA / name).read_text(encoding="utf-8"))
    return shape(doc["features"][0]["geometry"])


def _root(region: Region) -> Region:
    node = region
    while node.parent_id is not None and node.parent is not None:
        node = node.parent
    return node


def city_outline(region: Region) -> tuple[BaseGeometry | None, str]:
    """The outline of the city `region` lies in (its loaded boundary, else the shipped one), and its name."""
    root = _root(region)
    if root.level != RegionLevel.CITY:
        return None, ""
    if root.boundary and root.pk != region.pk:
        return shape(root.boundary), root.name
    return _shipped_city(root.code), root.name


def parent_outline(region: Region) -> tuple[BaseGeometry | None, str]:
    """The parent's outline a street, community or grid must lie in, when the parent has one."""
    if region.level in (RegionLevel.CITY, RegionLevel.DISTRICT) or region.parent is None:
        return None, ""
    if not region.parent.boundary:
        return None, region.parent.name
    return shape(region.parent.boundary), region.parent.name


def outline_for(region: Region, data: bytes, crs: str) -> boundaries.Outline:
    """Check an uploaded file as the outline of `region` (raises boundaries.BoundaryRefused)."""
    city, city_name = city_outline(region)
    parent, parent_name = parent_outline(region)
    current = shape(region.boundary) if region.boundary else None
    return boundaries.outline_from_upload(
        data, crs=crs, city=city, city_name=city_name, parent=parent, parent_name=parent_name, current=current
    )


def boundary_set(
    *, region: Region, outline: boundaries.Outline, actor: Any = None, via: str = "page", file_name: str = ""
) -> BoundaryChange:
    """Store a checked outline on the region and record the change; set the region's point when needed."""
    with transaction.atomic():
        locked = Region.objects.select_for_update().get(pk=region.pk)
        old = boundaries.geometry_hash(locked.boundary)
        locked.boundary = outline.geometry
        fields = ["boundary"]
        polygon = shape(outline.geometry)
        if (
            locked.latitude is None
            or locked.longitude is None
            or not polygon.buffer(POINT_TOLERANCE).contains(Point(locked.longitude, locked.latitude))
        ):
            locked.latitude, locked.longitude = outline.point
            fields += ["latitude", "longitude"]
        locked.save(update_fields=fields)
        change = BoundaryChange.objects.create(
            region=locked,
            at=timezone.now(),
            action=BoundaryChange.Action.SET,
            actor=actor,
            via=via,
            old_sha256=old,
            new_sha256=outline.sha256,
            source_crs=outline.crs,
            file_name=file_name[:200],
            vertices=outline.vertices,
            area_km2=outline.area_km2,
        )
    region.boundary, region.latitude, region.longitude = locked.boundary, locked.latitude, locked.longitude
    return change


def boundary_remove(*, region: Region, actor: Any = None, via: str = "page") -> BoundaryChange | None:
    """Remove the region's outline (its point stays: it may have been set by hand). None when it had none."""
    with transaction.atomic():
        locked = Region.objects.select_for_update().get(pk=region.pk)
        if not locked.boundary:
            return None
        old = boundaries.geometry_hash(locked.boundary)
        locked.boundary = None
        locked.save(update_fields=["boundary"])
        change = BoundaryChange.objects.create(
            region=locked, at=timezone.now(), action=BoundaryChange.Action.REMOVED, actor=actor, via=via, old_sha256=old
        )
    region.boundary = None
    return change


# --- who administers which regions ----------------------------------------------------------------------------------


def administered_paths(user: Any) -> list[str]:
    """The region paths under which `user` keeps the organisation (org.admin): their units' regions."""
    if not any(Capability.ORG_ADMIN in g.capabilities for g in scope_for(user).grants):
        return []
    units = Membership.objects.filter(user=user, is_active=True, unit__is_active=True).select_related("unit__region")
    from fengqiao.org.access import ROLE_CAPABILITIES

    paths = {m.unit.region.path for m in units if Capability.ORG_ADMIN in ROLE_CAPABILITIES.get(m.role, frozenset())}
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def administered_regions(user: Any):
    """The regions `user` may give outlines to (a queryset; none for anyone without org.admin)."""
    from django.db.models import Q

    paths = administered_paths(user)
    if not paths:
        return Region.objects.none()
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return Region.objects.filter(query)
