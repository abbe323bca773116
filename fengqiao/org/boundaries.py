"""Region outlines uploaded as GeoJSON: read, convert to WGS84, check, normalise. Pure functions, no database.

An administrator (page ``/org/regions/<code>/boundary/``) or IT staff (``./fq manage load_boundary``) hands in a
file; :func:`outline_from_upload` either returns an :class:`Outline` ready to store in ``Region.boundary`` or raises
:class:`BoundaryRefused` carrying the reason, a message id translated when shown (Chinese and English). Nothing is
stored by this module (``fengqiao.org.boundary_services`` does that, all or nothing).

What is accepted: a GeoJSON ``Feature``, a ``FeatureCollection`` (one feature, or several whose polygons are
joined into one outline), or a bare ``Polygon``/``MultiPolygon`` geometry, UTF-8 (with or without BOM), at most
:data:`MAX_BYTES`. Coordinates are degrees, longitude first (RFC 7946), in WGS84 or in GCJ-02 (the "Mars"
coordinates of Amap/Tencent/most Chinese maps): the uploader says which, or the file does (a ``crs`` member or a
``crs``/``crs_note`` property naming GCJ-02 or WGS84). GCJ-02 is turned into WGS84 by the standard iterated inverse
(:func:`gcj02_to_wgs84`), since no PyPI package for it is kept up (``coord-convert`` last released 2019,
``eviltransform`` 2018; ``pyproj`` has no GCJ-02). Converting a point in Shenzhen moves it about 514 m west and 302 m north.

What is refused, with the reason: not JSON, not GeoJSON, not a polygon, empty; coordinates that are not degrees (a
projected system in metres, e.g. Web Mercator or CGCS2000 Gauss-Krüger) or latitude and longitude swapped; an
invalid outline (crossing itself, a ring with too few points, a hole outside its shell…) with the place it goes
wrong; an outline outside the city; a street, community or grid not (mostly) inside its parent's outline; more than
:data:`MAX_INPUT_VERTICES` points.

Normalised: a Polygon or MultiPolygon only (properties dropped), simplified when above :data:`MAX_VERTICES`
(tolerance doubling from :data:`SIMPLIFY_START` up to :data:`SIMPLIFY_MAX`, never changing the shape's topology),
coordinates rounded to 6 decimals (≈ 0.1 m), exterior rings anticlockwise and holes clockwise (RFC 7946).

Why simplify instead of refuse: the big screen draws every loaded outline of a district on each load, and a few
hundred regions of 5,000 points each is what a phone's browser still draws smoothly; an outline exported from a
survey (tens of thousands of points, centimetre detail) loses nothing visible at 2–20 m. Beyond 100,000 points the
file is almost certainly not one region's outline (a whole country, a contour layer) and is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import shapely
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from shapely.validation import explain_validity

MAX_BYTES = 5 * 1024 * 1024  # an outline of one region; the shipped district outlines are 23–30 KB
MAX_INPUT_VERTICES = 100_000
MAX_VERTICES = 5_000
SIMPLIFY_START = 0.00002  # degrees, ≈ 2 m
SIMPLIFY_MAX = 0.0002  # degrees, ≈ 20 m
PRECISION = 6  # decimals kept (≈ 0.1 m)
CITY_TOLERANCE = 0.002  # degrees (≈ 200 m) the city outline is widened by: a shore or a border drawn a bit wide
CITY_MIN_INSIDE = 0.99  # share of the area that must lie inside the (widened) city
PARENT_TOLERANCE = 0.0005  # degrees (≈ 50 m): neighbours' outlines never match to the metre
PARENT_MIN_INSIDE = 0.95  # share of a street's/community's area that must lie inside its parent's outline
# Mainland China and its waters, in degrees: a point here is (lng, lat); a swapped one is not.
CHINA_LNG = (72.0, 138.0)
CHINA_LAT = (0.8, 56.0)
EARTH_RADIUS_M = 6_371_008.8

WGS84 = "wgs84"
GCJ02 = "gcj02"
AUTO = "auto"
CRS_CHOICES = (AUTO, WGS84, GCJ02)


class BoundaryRefused(Exception):
    """Why an upload is refused: a message id (English, gettext_noop) with its arguments, shown translated."""

    def __init__(self, code: str, msgid: str, **args: Any) -> None:
        super().__init__(msgid % args if args else msgid)
        self.code = code
        self.msgid = msgid
        self.args_ = args
        self.geometry: dict[str, Any] | None = None  # where the refused outline lies (WGS84), when it could be read

    def message(self) -> str:
        """The reason in the active language."""
        text = gettext(self.msgid)
        return text % self.args_ if self.args_ else text

    def message_in(self, language: str) -> str:
        with translation.override(language):
            return self.message()

    def bilingual(self) -> str:
        """Chinese, then English (for the command line and logs)."""
        return f"{self.message_in('zh-hans')} / {self.message_in('en')}"


@dataclass(frozen=True)
class Outline:
    geometry: dict[str, Any]  # GeoJSON Polygon or MultiPolygon, WGS84, rounded
    crs: str  # what the file was in (wgs84 or gcj02)
    vertices: int
    area_km2: float
    point: tuple[float, float]  # (latitude, longitude) of a point surely inside
    simplified_m: float | None  # the tolerance used, in metres, when the outline was simplified
    input_vertices: int

    @property
    def sha256(self) -> str:
        return geometry_hash(self.geometry)


def geometry_hash(geometry: dict[str, Any] | None) -> str:
    """A stable fingerprint of a stored outline ("" for none), for the change log."""
    if not geometry:
        return ""
    return hashlib.sha256(json.dumps(geometry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# --- GCJ-02 ---------------------------------------------------------------------------------------------------------

_A = 6378245.0  # Krasovsky 1940, as the published GCJ-02 formula uses
_EE = 0.00669342162296594323


def _dlat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _dlng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """The published forward transform (what Amap shows for a GPS point)."""
    dlat = _dlat(lng - 105.0, lat - 35.0)
    dlng = _dlng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float, *, precision: float = 1e-10, max_steps: int = 30) -> tuple[float, float]:
    """The inverse, iterated until the forward transform of the answer lands within `precision` degrees."""
    w_lng, w_lat = lng, lat
    for _ in range(max_steps):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        d_lng, d_lat = g_lng - lng, g_lat - lat
        if abs(d_lng) < precision and abs(d_lat) < precision:
            break
        w_lng, w_lat = w_lng - d_lng, w_lat - d_lat
    return w_lng, w_lat


def _geometry_gcj02_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    def convert(coords: Any) -> Any:
        return [gcj02_to_wgs84(float(x), float(y)) for x, y in coords] or coords

    return shapely.transform(geom, convert)


# --- reading --------------------------------------------------------------------------------------------------------


def check_size(size: int) -> None:
    """Refuse a file above MAX_BYTES (called with the size before reading it, and again on the bytes)."""
    if size > MAX_BYTES:
        raise BoundaryRefused(
            "too_big",
            gettext_noop("The file is %(size)s MB; at most %(limit)s MB is accepted."),
            size=f"{size / 1048576:.1f}",
            limit=MAX_BYTES // 1048576,
        )


def parse_json(data: bytes) -> Any:
    """The JSON in the file; refuses a file too big, not text, or not JSON."""
    if not data or not data.strip():
        raise BoundaryRefused("empty", gettext_noop("The file is empty."))
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BoundaryRefused(
            "encoding", gettext_noop("The file is not UTF-8 text. Save the GeoJSON as UTF-8 and upload it again.")
        ) from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", 0)
        raise BoundaryRefused(
            "not_json",
            gettext_noop("The file is not JSON (it breaks at line %(line)s). Upload a .geojson file."),
            line=line,
        ) from None


_GCJ = re.compile(r"gcj|火星|mars|amap|高德|tencent|腾讯", re.IGNORECASE)
_WGS = re.compile(r"wgs|4326|crs84|epsg:4490|cgcs2000", re.IGNORECASE)
_PROJECTED = re.compile(r"3857|900913|mercator|epsg:(?:45\d\d|32\d\d\d|2\d{3,4})\b", re.IGNORECASE)


def _crs_text(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_crs_text(v) for v in value.values())
    return str(value) if isinstance(value, (str, int)) else ""


def declared_crs(obj: Any) -> str | None:
    """What the file says its coordinates are: wgs84, gcj02, "projected", or None when it says nothing.

    Looks at a GeoJSON 2008 ``crs`` member and at ``crs``/``crs_note`` properties of the features (the shipped
    outlines say ``"crs_note": "GCJ-02"``). "WGS84 (converted from GCJ-02)" is WGS84: the first name wins.
    """
    texts: list[str] = []
    if isinstance(obj, dict):
        texts.append(_crs_text(obj.get("crs")))
        features = obj.get("features") if obj.get("type") == "FeatureCollection" else [obj]
        for feature in features if isinstance(features, list) else []:
            props = feature.get("properties") if isinstance(feature, dict) else None
            if isinstance(props, dict):
                texts += [_crs_text(props.get("crs")), _crs_text(props.get("crs_note"))]
    for text in texts:
        if not text:
            continue
        if _PROJECTED.search(text):
            return "projected"
        gcj, wgs = _GCJ.search(text), _WGS.search(text)
        if gcj and (not wgs or gcj.start() < wgs.start()):
            return GCJ02
        if wgs:
            return WGS84
    return None


def _geometries(obj: Any) -> list[dict[str, Any]]:
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise BoundaryRefused(
            "not_geojson",
            gettext_noop(
                'This is JSON but not GeoJSON: it has no "type" of Feature, FeatureCollection, Polygon or MultiPolygon.'
            ),
        )
    kind = obj["type"]
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise BoundaryRefused("not_geojson", gettext_noop("The FeatureCollection has no list of features."))
        if not features:
            raise BoundaryRefused("empty", gettext_noop("The FeatureCollection has no feature: there is no outline."))
        return [g for f in features for g in _geometries(f)]
    if kind == "Feature":
        geometry = obj.get("geometry")
        if geometry is None:
            raise BoundaryRefused("empty", gettext_noop("The feature has no geometry: there is no outline."))
        return _geometries(geometry)
    if kind == "GeometryCollection":
        parts = obj.get("geometries")
        return [g for part in parts for g in _geometries(part)] if isinstance(parts, list) else []
    if kind in ("Polygon", "MultiPolygon"):
        return [obj]
    if kind in ("Point", "MultiPoint", "LineString", "MultiLineString"):
        raise BoundaryRefused(
            "not_polygon",
            gettext_noop("The file holds a %(kind)s, not an area. An outline must be a Polygon or MultiPolygon."),
            kind=kind,
        )
    raise BoundaryRefused(
        "not_geojson",
        gettext_noop('"%(kind)s" is not a GeoJSON type. Upload a Feature, FeatureCollection, Polygon or MultiPolygon.'),
        kind=kind[:40],
    )


def _shape(geometry: dict[str, Any]) -> BaseGeometry:
    coords = geometry.get("coordinates")
    if not coords:
        raise BoundaryRefused("empty", gettext_noop("The outline has no coordinates."))
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.GEOSException):
        raise BoundaryRefused(
            "bad_coordinates",
            gettext_noop("The coordinates are not a list of [longitude, latitude] rings: the outline cannot be read."),
        ) from None
    if geom.is_empty:
        raise BoundaryRefused("empty", gettext_noop("The outline has no coordinates."))
    return geom


def read_geometry(obj: Any) -> BaseGeometry:
    """The polygons in a parsed GeoJSON document as one shapely geometry (several features joined)."""
    geometries = _geometries(obj)
    if not geometries:
        raise BoundaryRefused("not_polygon", gettext_noop("The file holds no Polygon or MultiPolygon."))
    shapes = [_shape(g) for g in geometries]
    if len(shapes) == 1:
        return shapes[0]
    for part in shapes:
        _check_valid(part)
    return unary_union(shapes)


# --- checks ---------------------------------------------------------------------------------------------------------


def _in_china(lng_range: tuple[float, float], lat_range: tuple[float, float]) -> bool:
    return (
        CHINA_LNG[0] <= lng_range[0]
        and lng_range[1] <= CHINA_LNG[1]
        and CHINA_LAT[0] <= lat_range[0]
        and lat_range[1] <= CHINA_LAT[1]
    )


def check_degrees(geom: BaseGeometry) -> None:
    """Refuse coordinates that are not (longitude, latitude) degrees in China."""
    min_x, min_y, max_x, max_y = geom.bounds
    if not all(math.isfinite(v) for v in (min_x, min_y, max_x, max_y)):
        raise BoundaryRefused("bad_coordinates", gettext_noop("Some coordinates are not numbers."))
    swapped = _in_china((min_y, max_y), (min_x, max_x))
    if not swapped and (max(abs(min_x), abs(max_x)) > 180 or max(abs(min_y), abs(max_y)) > 90):
        raise BoundaryRefused(
            "projected",
            gettext_noop(
                "Wrong coordinate system: the coordinates (e.g. %(x)s, %(y)s) are not degrees; they look like metres of "
                "a projected system (Web Mercator, CGCS2000 Gauss-Krüger…). Export the outline as longitude/latitude in "
                "WGS84 (EPSG:4326) or GCJ-02."
            ),
            x=f"{min_x:.0f}",
            y=f"{min_y:.0f}",
        )
    if _in_china((min_x, max_x), (min_y, max_y)):
        return
    if swapped:
        raise BoundaryRefused(
            "swapped",
            gettext_noop(
                "Latitude and longitude are swapped: GeoJSON writes longitude first ([113.9, 22.7] for Guangming), the "
                "file has [%(x)s, %(y)s]. Swap the two and upload it again."
            ),
            x=f"{min_x:.4f}",
            y=f"{min_y:.4f}",
        )
    raise BoundaryRefused(
        "not_china",
        gettext_noop(
            "Wrong coordinate system: the outline lies at %(lat)s°, %(lng)s°, far from China. Export it as "
            "longitude/latitude degrees in WGS84 or GCJ-02."
        ),
        lat=f"{min_y:.4f}",
        lng=f"{min_x:.4f}",
    )


_PROBLEMS: dict[str, str] = {
    "Self-intersection": gettext_noop("The outline crosses itself near %(place)s."),
    "Ring Self-intersection": gettext_noop("A ring of the outline touches itself near %(place)s."),
    "Too few points": gettext_noop("A ring of the outline has fewer than 4 points (near %(place)s)."),
    "Hole lies outside shell": gettext_noop("A hole of the outline lies outside it (near %(place)s)."),
    "Nested holes": gettext_noop("One hole of the outline lies inside another (near %(place)s)."),
    "Interior is disconnected": gettext_noop("The holes of the outline cut it in pieces (near %(place)s)."),
    "Nested shells": gettext_noop("One part of the outline lies inside another part (near %(place)s)."),
    "Duplicate Rings": gettext_noop("The outline has the same ring twice (near %(place)s)."),
    "Invalid Coordinate": gettext_noop("The outline has a coordinate that is not a number (near %(place)s)."),
    "Ring is not closed": gettext_noop("A ring of the outline is not closed (near %(place)s)."),
}


def _place(lng: float, lat: float) -> str:
    return f"{lat:.5f}°N, {lng:.5f}°E"


def _check_valid(geom: BaseGeometry) -> None:
    if not isinstance(geom, (Polygon, MultiPolygon)):
        raise BoundaryRefused("not_polygon", gettext_noop("The file holds no Polygon or MultiPolygon."))
    if geom.is_valid:
        return
    explained = explain_validity(geom)  # e.g. "Self-intersection[113.92 22.75]"
    match = re.match(r"^(.*?)\s*\[\s*([-\d.eE+]+)\s+([-\d.eE+]+)\s*\]", explained)
    name = match.group(1).strip() if match else explained
    lng, lat = (float(match.group(2)), float(match.group(3))) if match else geom.representative_point().coords[0]
    msgid = _PROBLEMS.get(name, gettext_noop("The outline is not a valid polygon near %(place)s."))
    raise BoundaryRefused("invalid", msgid, place=_place(lng, lat))


def _count(geom: BaseGeometry) -> int:
    return int(shapely.get_num_coordinates(geom))


def _simplify(geom: BaseGeometry) -> tuple[BaseGeometry, float | None]:
    if _count(geom) <= MAX_VERTICES:
        return geom, None
    tolerance = SIMPLIFY_START
    while True:
        simpler = geom.simplify(tolerance, preserve_topology=True)
        if _count(simpler) <= MAX_VERTICES or tolerance >= SIMPLIFY_MAX:
            break
        tolerance *= 2
    if _count(simpler) > MAX_VERTICES:
        raise BoundaryRefused(
            "too_many_vertices",
            gettext_noop(
                "The outline has %(count)s points and still more than %(limit)s after simplifying by 20 m: it is too "
                "detailed for the map. Simplify it (e.g. in QGIS) and upload it again."
            ),
            count=_count(geom),
            limit=MAX_VERTICES,
        )
    return simpler, tolerance * 111_000


def area_km2(geom: BaseGeometry) -> float:
    """Area on a local equal-area projection (accurate to well under 1% at a district's size)."""
    lat0 = math.radians(geom.centroid.y)
    k = math.radians(1) * EARTH_RADIUS_M / 1000

    return float(shapely.transform(geom, lambda coords: coords * [k * math.cos(lat0), k]).area)


def share_inside(geom: BaseGeometry, container: BaseGeometry, tolerance: float) -> float:
    """The part of `geom`'s area inside `container` widened by `tolerance` degrees (0..1)."""
    if geom.area == 0:
        return 0.0
    widened = container.buffer(tolerance)
    return float(geom.intersection(widened).area / geom.area)


def _round(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(coords[0]), PRECISION), round(float(coords[1]), PRECISION)]
    return [_round(c) for c in coords]


def normalise(geom: BaseGeometry) -> BaseGeometry:
    """Polygons only, on a 1e-6° grid, rings oriented as RFC 7946 says."""
    gridded = shapely.set_precision(geom, 10**-PRECISION)
    polygons: list[Polygon] = []
    for part in getattr(gridded, "geoms", [gridded]):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(orient(part, sign=1.0))
        elif isinstance(part, MultiPolygon):
            polygons += [orient(p, sign=1.0) for p in part.geoms if not p.is_empty]
    if not polygons:
        raise BoundaryRefused("empty", gettext_noop("The outline encloses no area."))
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


# --- the whole way --------------------------------------------------------------------------------------------------


def choose_crs(chosen: str, declared: str | None) -> str:
    """The coordinate system to read the file in: the uploader's choice, checked against what the file says."""
    if declared == "projected":
        raise BoundaryRefused(
            "projected",
            gettext_noop(
                "Wrong coordinate system: the file says it is in a projected system (metres). Export the outline as "
                "longitude/latitude in WGS84 (EPSG:4326) or GCJ-02."
            ),
        )
    if chosen == AUTO:
        return declared or WGS84
    if declared and declared != chosen:
        raise BoundaryRefused(
            "crs_conflict",
            gettext_noop(
                "You chose %(chosen)s but the file says its coordinates are %(declared)s. Check where the outline came "
                "from and choose again (GCJ-02 is about 600 m off in Shenzhen if mixed up)."
            ),
            chosen=_CRS_NAMES[chosen],
            declared=_CRS_NAMES[declared],
        )
    return chosen


_CRS_NAMES = {WGS84: "WGS84", GCJ02: "GCJ-02"}
MIX_APART = 0.9  # overlap (intersection over union) below which a replacement does not match the current outline
MIX_MATCH = 0.97  # … and above which it does when read in the other system


def overlap(a: BaseGeometry, b: BaseGeometry) -> float:
    """Intersection over union (0..1)."""
    union = a.union(b).area
    return float(a.intersection(b).area / union) if union else 0.0


def check_crs_mix(raw: BaseGeometry, read: BaseGeometry, crs: str, current: BaseGeometry) -> None:
    """Refuse a replacement that matches the region's current outline only when read in the other system.

    The usual mistake: an outline traced on Amap (GCJ-02) uploaded as WGS84, or a WGS84 file labelled GCJ-02. Read
    wrongly it lies about 600 m off the outline it replaces; read the other way it lies on it. A replacement that
    differs from the current outline in both readings (a real change of the boundary) passes.
    """
    other = _geometry_gcj02_to_wgs84(raw) if crs == WGS84 else raw
    if overlap(read, current) < MIX_APART and overlap(other, current) > MIX_MATCH:
        raise BoundaryRefused(
            "crs_mixed",
            gettext_noop(
                "Wrong coordinate system: read as %(chosen)s the outline lies about 600 m off the region's current "
                "outline; read as %(other)s it lies on it. Choose %(other)s and upload it again."
            ),
            chosen=_CRS_NAMES[crs],
            other=_CRS_NAMES[GCJ02 if crs == WGS84 else WGS84],
        )


def _check_place(
    raw: BaseGeometry,
    geom: BaseGeometry,
    crs: str,
    *,
    city: BaseGeometry | None,
    city_name: str,
    parent: BaseGeometry | None,
    parent_name: str,
    current: BaseGeometry | None,
) -> None:
    """Where the outline lies: on the current one in the system chosen, inside the city, inside the parent."""
    if current is not None:
        check_crs_mix(raw, geom, crs, current)
    if city is not None and share_inside(geom, city, CITY_TOLERANCE) < CITY_MIN_INSIDE:
        where = geom.representative_point()
        raise BoundaryRefused(
            "outside_city",
            gettext_noop(
                "The outline lies outside %(city)s (around %(place)s). Check the file and the coordinate system."
            ),
            city=city_name,
            place=_place(where.x, where.y),
        )
    if parent is not None:
        share = share_inside(geom, parent, PARENT_TOLERANCE)
        if share < PARENT_MIN_INSIDE:
            raise BoundaryRefused(
                "outside_parent",
                gettext_noop(
                    "Only %(share)s%% of the outline lies inside %(parent)s; at least %(least)s%% must. Check the file, "
                    "the region, and the coordinate system."
                ),
                share=f"{share * 100:.0f}",
                parent=parent_name,
                least=f"{PARENT_MIN_INSIDE * 100:.0f}",
            )


def outline_from_upload(
    data: bytes,
    *,
    crs: str = AUTO,
    city: BaseGeometry | None = None,
    city_name: str = "",
    parent: BaseGeometry | None = None,
    parent_name: str = "",
    current: BaseGeometry | None = None,
) -> Outline:
    """Read, convert, check and normalise an uploaded outline. Raises BoundaryRefused with the first problem found.

    `city`: the city's outline (WGS84) the region must lie in; `parent`: the outline of the region's parent
    (street → district, community → street, grid → community) when it has one; `current`: the region's outline
    now, when it has one (a replacement read in the wrong system sits ≈ 600 m off it: see check_crs_mix).
    """
    if crs not in CRS_CHOICES:
        raise BoundaryRefused("crs_unknown", gettext_noop("Choose WGS84 or GCJ-02 as the coordinate system."))
    obj = parse_json(data)
    crs = choose_crs(crs, declared_crs(obj))
    geom = read_geometry(obj)
    input_vertices = _count(geom)
    if input_vertices > MAX_INPUT_VERTICES:
        raise BoundaryRefused(
            "too_many_vertices",
            gettext_noop(
                "The outline has %(count)s points; at most %(limit)s are accepted. Is this really one region's outline?"
            ),
            count=input_vertices,
            limit=MAX_INPUT_VERTICES,
        )
    check_degrees(geom)
    _check_valid(geom)
    if geom.area == 0:
        raise BoundaryRefused("empty", gettext_noop("The outline encloses no area."))
    raw = geom
    if crs == GCJ02:
        geom = _geometry_gcj02_to_wgs84(geom)
    try:
        _check_place(
            raw, geom, crs, city=city, city_name=city_name, parent=parent, parent_name=parent_name, current=current
        )
    except BoundaryRefused as refusal:
        shown = geom.simplify(0.0001) if _count(geom) > MAX_VERTICES else geom
        refusal.geometry = {"type": shown.geom_type, "coordinates": _round(mapping(shown)["coordinates"])}
        raise
    geom, simplified_m = _simplify(geom)
    geom = normalise(geom)
    _check_valid(geom)
    geometry = mapping(geom)
    stored = {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}
    point = geom.representative_point()
    return Outline(
        geometry=stored,
        crs=crs,
        vertices=_count(geom),
        area_km2=round(area_km2(geom), 3),
        point=(round(point.y, PRECISION), round(point.x, PRECISION)),
        simplified_m=round(simplified_m, 1) if simplified_m else None,
        input_vertices=input_vertices,
    )
