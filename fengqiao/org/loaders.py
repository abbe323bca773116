"""Load the real organisation of Guangming and Luohu districts from the files shipped in org/data.

Where they come from is written in fengqiao/org/data/SOURCES.md. Everything is
written through fengqiao.org.services, in one transaction per district, and is
idempotent: a second load updates in place and creates nothing new.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from fengqiao.org.models import OrgUnit, PlaceKind, Region, RegionLevel, ServicePointLevel, UnitKind
from fengqiao.org.services import region_save, service_point_save, unit_save

DATA = Path(__file__).resolve().parent / "data"

DISTRICTS = {
    "440311": {
        "boundary": "guangming_district_wgs84.geojson",
        "centre": "光明区群众诉求服务大厅",
        "street_centre": "{street}群众诉求服务大厅",
        "community_centre": "{community}群众诉求服务中心",
    },
    "440303": {
        "boundary": "luohu_district_wgs84.geojson",
        "centre": "罗湖区综治中心",
        "street_centre": "{street}综治中心",
        "community_centre": "{community}党群服务中心",
    },
}

# "N" service stations: the kinds of place Guangming puts them (MISSION §2). The shipped data
# has no station names, so the demo names each after its community and the kind of place.
STATION_KINDS = [
    (PlaceKind.POLICE_STATION, "警务室诉求服务站"),
    (PlaceKind.RESIDENTIAL, "住宅小区诉求服务站"),
    (PlaceKind.INDUSTRIAL_PARK, "工业园区诉求服务站"),
    (PlaceKind.CONSTRUCTION_SITE, "工地诉求服务站"),
    (PlaceKind.SCHOOL, "校园诉求服务站"),
    (PlaceKind.HOSPITAL, "医院诉求服务站"),
    (PlaceKind.MALL, "商场诉求服务站"),
]


@dataclass
class LoadReport:
    regions: int = 0
    units: int = 0
    service_points: int = 0


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _centroid(geometry: dict) -> tuple[float, float]:
    from shapely.geometry import shape

    point = shape(geometry).representative_point()
    return point.y, point.x


@transaction.atomic
def load_district(district_code: str, *, stations_per_community: int = 2) -> LoadReport:
    """Regions, centres, departments and service points of one district."""
    if district_code not in DISTRICTS:
        raise ValidationError(f"Unknown district code {district_code}; known: {', '.join(DISTRICTS)}")
    conf = DISTRICTS[district_code]
    report = LoadReport()
    rows = _read_csv("regions.csv")
    by_code = {r["code"]: r for r in rows}
    regions: dict[str, Region] = {}

    def ensure(code: str) -> Region:
        if code in regions:
            return regions[code]
        row = by_code.get(code)
        if row is None:
            raise ValidationError(f"Region code {code} is not in regions.csv")
        parent = ensure(row["parent_code"]) if row["parent_code"] else None
        boundary = lat = lng = None
        if code == district_code:
            feature = json.loads((DATA / conf["boundary"]).read_text(encoding="utf-8"))
            boundary = feature["features"][0]["geometry"] if feature.get("type") == "FeatureCollection" else feature
            lat, lng = _centroid(boundary)
        regions[code] = region_save(
            code=code,
            name=row["name"],
            level=row["level"],
            parent=parent,
            case_prefix=row["case_prefix"],
            boundary=boundary,
            latitude=lat,
            longitude=lng,
        )
        report.regions += 1
        return regions[code]

    district = ensure(district_code)
    for row in rows:
        if row["code"].startswith(district_code) and row["level"] in (RegionLevel.STREET, RegionLevel.COMMUNITY):
            ensure(row["code"])

    centre = unit_save(name=conf["centre"], kind=UnitKind.DISTRICT_CENTRE, region=district, parent=None)
    report.units += 1
    service_point_save(
        name=conf["centre"], level=ServicePointLevel.DISTRICT_HALL, region=district, unit=centre,
        place_kind=PlaceKind.GOVERNMENT,
    )
    report.service_points += 1
    for dep in _read_csv("departments.csv"):
        if dep["district_code"] == district_code:
            unit_save(
                name=dep["name"], kind=dep["kind"], region=district, parent=centre,
                domain_hint=dep["domain_hint"], source=dep["evidence"],
            )
            report.units += 1

    street_centres: dict[str, OrgUnit] = {}
    for street in (r for r in regions.values() if r.level == RegionLevel.STREET):
        sc = unit_save(
            name=conf["street_centre"].format(street=street.name), kind=UnitKind.STREET_CENTRE,
            region=street, parent=centre,
        )
        street_centres[street.code] = sc
        unit_save(name=f"{district.name}{street.name}办事处", kind=UnitKind.STREET_OFFICE, region=street, parent=sc)
        unit_save(
            name=f"{street.name}人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE, region=street, parent=sc,
        )
        report.units += 3
        service_point_save(
            name=sc.name, level=ServicePointLevel.STREET_HALL, region=street, unit=sc, place_kind=PlaceKind.GOVERNMENT,
        )
        report.service_points += 1

    for community in sorted((r for r in regions.values() if r.level == RegionLevel.COMMUNITY), key=lambda r: r.code):
        cc = unit_save(
            name=conf["community_centre"].format(community=community.name),
            kind=UnitKind.COMMUNITY_CENTRE,
            region=community,
            parent=street_centres[community.parent.code],
        )
        report.units += 1
        service_point_save(
            name=cc.name, level=ServicePointLevel.COMMUNITY_HALL, region=community, unit=cc,
            place_kind=PlaceKind.GOVERNMENT,
        )
        report.service_points += 1
        offset = int(community.code[-3:])
        for i in range(stations_per_community):
            kind, suffix = STATION_KINDS[(offset + i) % len(STATION_KINDS)]
            service_point_save(
                name=f"{community.name}{suffix}", level=ServicePointLevel.STATION, region=community, unit=cc,
                place_kind=kind,
            )
            report.service_points += 1
    return report
