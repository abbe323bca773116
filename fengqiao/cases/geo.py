"""Where the case map puts a case: its own position, or, when the resident gave none, the place they picked.

No public outline exists for Shenzhen's streets and communities (fengqiao/org/data/SOURCES.md), so the point of a
place is, in order: the position an administrator gave the region, the middle of its outline if one is loaded,
or the middle of the service points and QR-code places with a position inside it. A case placed that way is
marked approximate, with a radius that says how approximate; a district alone gives no point (its outline is
drawn anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.org.models import QrPlace, Region, RegionLevel, ServicePoint

# How far from the point the case may be, by the level of the place it was placed by (metres).
APPROXIMATE_RADIUS: dict[str, int] = {RegionLevel.GRID: 300, RegionLevel.COMMUNITY: 800, RegionLevel.STREET: 2500}


@dataclass(frozen=True)
class MapPosition:
    latitude: float
    longitude: float
    approximate: bool
    place: Region | None = None  # the place whose point stands in for the case's position
    radius_m: int = 0


def region_point(region: Region) -> tuple[float, float] | None:
    """A point for the region, or None when nothing known places it."""
    if region.latitude is not None and region.longitude is not None:
        return region.latitude, region.longitude
    if region.boundary:
        from shapely.geometry import shape

        point = shape(region.boundary).representative_point()
        return point.y, point.x
    inside = {"region__path__startswith": region.path, "latitude__isnull": False, "longitude__isnull": False}
    points: list[tuple[float, float]] = [
        (lat, lng)
        for model in (QrPlace, ServicePoint)
        for lat, lng in model.objects.filter(is_active=True, **inside).values_list("latitude", "longitude")
        if lat is not None and lng is not None
    ]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def case_position(case) -> MapPosition | None:
    """The case's own position, or the approximate one of the smallest place it was put in that has a point."""
    if case.latitude is not None and case.longitude is not None:
        return MapPosition(case.latitude, case.longitude, approximate=False)
    node: Region | None = case.region
    while node is not None and node.level in APPROXIMATE_RADIUS:
        point = region_point(node)
        if point is not None:
            return MapPosition(point[0], point[1], approximate=True, place=node, radius_m=APPROXIMATE_RADIUS[node.level])
        node = node.parent
    return None
