"""Reading, converting and checking uploaded outlines (fengqiao.org.boundaries), on the real district outlines.

`data/guangming_district_gcj02.geojson` is the published (Amap, GCJ-02) outline of 光明区 the shipped
`fengqiao/org/data/guangming_district_wgs84.geojson` was converted from (fengqiao/org/data/SOURCES.md).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from django.utils import translation
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.polygon import orient

from fengqiao.org import boundaries as B

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
GM_GCJ02 = HERE / "data" / "guangming_district_gcj02.geojson"
GM_WGS84 = DATA / "guangming_district_wgs84.geojson"
LH_WGS84 = DATA / "luohu_district_wgs84.geojson"


def _geometry(path: Path):
    return shape(json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"])


@pytest.fixture(scope="module")
def city():
    return _geometry(DATA / "shenzhen_city_wgs84.geojson")


@pytest.fixture(scope="module")
def guangming():
    return _geometry(GM_WGS84)


def _doc(geom, **props) -> bytes:
    return json.dumps({"type": "Feature", "properties": props, "geometry": mapping(geom)}).encode()


def _refusal(data: bytes, **kwargs) -> B.BoundaryRefused:
    with pytest.raises(B.BoundaryRefused) as caught:
        B.outline_from_upload(data, **kwargs)
    return caught.value


def _metres(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """(east, north) metres from a to b (lng, lat)."""
    lat = math.radians((a[1] + b[1]) / 2)
    return (b[0] - a[0]) * 111_320 * math.cos(lat), (b[1] - a[1]) * 110_574


# --- GCJ-02 ---------------------------------------------------------------------------------------------------------


def test_gcj02_inverse_reproduces_the_shipped_wgs84_outline_vertex_by_vertex():
    gcj = json.loads(GM_GCJ02.read_text(encoding="utf-8"))["features"][0]["geometry"]["coordinates"]
    wgs = json.loads(GM_WGS84.read_text(encoding="utf-8"))["features"][0]["geometry"]["coordinates"]
    pairs = [
        (p, q)
        for pg, pw in zip(gcj, wgs, strict=True)
        for rg, rw in zip(pg, pw, strict=True)
        for p, q in zip(rg, rw, strict=True)
    ]
    assert len(pairs) > 1000
    worst = 0.0
    for (g_lng, g_lat), (w_lng, w_lat) in pairs:
        lng, lat = B.gcj02_to_wgs84(g_lng, g_lat)
        worst = max(worst, abs(lng - w_lng), abs(lat - w_lat))
        # the inverse is exact: the forward transform of the answer lands on the GCJ-02 point
        f_lng, f_lat = B.wgs84_to_gcj02(lng, lat)
        assert abs(f_lng - g_lng) < 1e-9 and abs(f_lat - g_lat) < 1e-9
    assert worst <= 5.1e-7  # both files are rounded to 6 decimals


def test_converting_moves_a_point_in_shenzhen_about_500_m_west_and_300_m_north():
    east, north = _metres((113.93, 22.76), B.gcj02_to_wgs84(113.93, 22.76))
    assert -560 < east < -470 and 260 < north < 340, (east, north)


# --- what is accepted -----------------------------------------------------------------------------------------------


def test_a_gcj02_file_is_stored_in_wgs84_identical_to_the_shipped_outline(city, guangming):
    outline = B.outline_from_upload(GM_GCJ02.read_bytes(), crs=B.GCJ02, city=city, city_name="深圳市")
    assert outline.crs == B.GCJ02
    stored = shape(outline.geometry)
    assert stored.symmetric_difference(guangming).area < 1e-9
    assert abs(outline.area_km2 - 155.44) < 1.5  # the official area
    assert stored.contains(shape({"type": "Point", "coordinates": [outline.point[1], outline.point[0]]}))
    # the file said GCJ-02 in its crs_note: "auto" reads it so
    assert B.outline_from_upload(GM_GCJ02.read_bytes(), crs=B.AUTO, city=city).geometry == outline.geometry


def test_normalised_polygons_only_anticlockwise_six_decimals(city):
    clockwise = orient(box(113.9012345678, 22.7512345678, 113.92, 22.77), sign=-1.0)
    assert not clockwise.exterior.is_ccw
    outline = B.outline_from_upload(_doc(clockwise, name="x", crs_note="WGS84"), crs=B.WGS84, city=city)
    assert set(outline.geometry) == {"type", "coordinates"} and outline.geometry["type"] == "Polygon"
    stored = shape(outline.geometry)
    assert stored.exterior.is_ccw
    assert [113.901235, 22.751235] in outline.geometry["coordinates"][0]
    assert all(round(v, 6) == v for ring in outline.geometry["coordinates"] for p in ring for v in p)


def test_a_collection_of_several_features_is_joined_and_a_bare_geometry_is_read(city):
    west, east = box(113.90, 22.74, 113.92, 22.76), box(113.92, 22.74, 113.94, 22.76)
    apart = box(113.96, 22.74, 113.97, 22.75)
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": mapping(g)} for g in (west, east, apart)],
    }
    outline = B.outline_from_upload(json.dumps(collection).encode(), city=city)
    assert outline.geometry["type"] == "MultiPolygon" and len(outline.geometry["coordinates"]) == 2
    bare = B.outline_from_upload(json.dumps(mapping(west)).encode(), city=city)
    assert bare.geometry["type"] == "Polygon" and bare.vertices == 5


def test_an_outline_of_too_many_points_is_simplified_and_one_far_too_big_is_refused(city):
    circle = shape({"type": "Point", "coordinates": [113.93, 22.76]}).buffer(0.02, quad_segs=3000)  # 12,001 points
    outline = B.outline_from_upload(_doc(circle), city=city)
    assert outline.input_vertices > 12_000 and outline.vertices <= B.MAX_VERTICES
    assert outline.simplified_m is not None and outline.simplified_m <= 25
    assert shape(outline.geometry).symmetric_difference(circle).area / circle.area < 0.001
    angles = [2 * math.pi * i / 110_000 for i in range(110_000)]
    huge = Polygon([(113.93 + 0.05 * math.cos(a), 22.76 + 0.05 * math.sin(a)) for a in angles])
    assert _refusal(_doc(huge), city=city).code == "too_many_vertices"


def test_a_file_with_a_bom_is_read(city):
    data = b"\xef\xbb\xbf" + _doc(box(113.90, 22.74, 113.92, 22.76), name="光明")
    assert B.outline_from_upload(data, city=city).vertices == 5


# --- what is refused, and why ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<kml><Placemark/></kml>", "not_json"),
        (b'{"type": "Feature", "properties": {}, ', "not_json"),
        (b'["not", "geojson"]', "not_geojson"),
        ('{"name": "光明"}'.encode(), "not_geojson"),
        (b'{"type": "Topology", "objects": {}}', "not_geojson"),
        (b'{"type": "Point", "coordinates": [113.93, 22.76]}', "not_polygon"),
        (b'{"type": "LineString", "coordinates": [[113.93, 22.76], [113.94, 22.77]]}', "not_polygon"),
        (b'{"type": "FeatureCollection", "features": []}', "empty"),
        (b'{"type": "Feature", "properties": {}, "geometry": null}', "empty"),
        (b'{"type": "Polygon", "coordinates": []}', "empty"),
        (b'{"type": "Polygon", "coordinates": [[["a", "b"], [1]]]}', "bad_coordinates"),
        ('{"type": "Polygon", "name": "光明"}'.encode("gb18030"), "encoding"),
    ],
)
def test_not_json_not_geojson_not_a_polygon_or_empty_is_refused(data, code, city):
    assert _refusal(data, city=city).code == code


def test_a_file_too_big_is_refused_before_reading():
    with pytest.raises(B.BoundaryRefused) as caught:
        B.check_size(B.MAX_BYTES + 1)
    assert caught.value.code == "too_big"
    assert _refusal(b" " * (B.MAX_BYTES + 1)).code == "empty"  # blank: nothing to read anyway
    assert _refusal(b"{" + b" " * B.MAX_BYTES + b"}").code == "too_big"


def test_a_self_intersecting_outline_is_refused_with_the_place_in_both_languages(city):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[113.90, 22.74], [113.94, 22.78], [113.94, 22.74], [113.90, 22.78], [113.90, 22.74]]],
    }
    refusal = _refusal(json.dumps(bowtie).encode(), city=city)
    assert refusal.code == "invalid"
    english = refusal.message_in("en")
    chinese = refusal.message_in("zh-hans")
    assert english == "The outline crosses itself near 22.76000°N, 113.92000°E."
    assert "自相交" in chinese and "22.76000°N, 113.92000°E" in chinese
    assert refusal.bilingual() == f"{chinese} / {english}"


def test_a_hole_outside_its_shell_is_refused():
    shell = [[113.90, 22.74], [113.92, 22.74], [113.92, 22.76], [113.90, 22.76], [113.90, 22.74]]
    hole = [[113.95, 22.74], [113.96, 22.74], [113.96, 22.75], [113.95, 22.74]]
    refusal = _refusal(json.dumps({"type": "Polygon", "coordinates": [shell, hole]}).encode())
    assert refusal.code == "invalid"
    with translation.override("en"):
        assert refusal.message().startswith("A hole of the outline lies outside it")


def test_swapped_latitude_and_longitude_is_refused(guangming, city):
    swapped = json.loads(GM_WGS84.read_text(encoding="utf-8"))
    geometry = swapped["features"][0]["geometry"]
    geometry["coordinates"] = [[[[lat, lng] for lng, lat in ring] for ring in poly] for poly in geometry["coordinates"]]
    refusal = _refusal(json.dumps(swapped).encode(), city=city)
    assert refusal.code == "swapped"
    with translation.override("en"):
        assert "Latitude and longitude are swapped" in refusal.message()


def test_metres_of_a_projected_system_are_refused_as_the_wrong_coordinate_system(guangming, city):
    """The district outline in Web Mercator metres (what a GIS exports when not told otherwise)."""

    def mercator(lng: float, lat: float) -> list[float]:
        return [math.radians(lng) * 6378137, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137]

    coords = [[[mercator(*p) for p in ring] for ring in poly] for poly in mapping(guangming)["coordinates"]]
    refusal = _refusal(json.dumps({"type": "MultiPolygon", "coordinates": coords}).encode(), city=city)
    assert refusal.code == "projected"
    with translation.override("zh-hans"):
        assert "坐标系" in refusal.message()
    declared = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
        "features": [{"type": "Feature", "properties": {}, "geometry": mapping(box(113.9, 22.7, 114, 22.8))}],
    }
    assert _refusal(json.dumps(declared).encode(), city=city).code == "projected"


def test_outside_the_city_is_refused(city):
    beijing = box(116.38, 39.90, 116.42, 39.93)
    refusal = _refusal(_doc(beijing), city=city, city_name="深圳市")
    assert refusal.code == "outside_city"
    with translation.override("en"):
        assert "outside 深圳市" in refusal.message()
    far_away = box(2.30, 48.85, 2.35, 48.87)  # Paris: not even China
    assert _refusal(_doc(far_away), city=city).code == "not_china"


def test_a_street_not_inside_its_district_is_refused_and_one_inside_is_accepted(guangming, city):
    luohu = _geometry(LH_WGS84)
    refusal = _refusal(_doc(luohu), city=city, parent=guangming, parent_name="光明区")
    assert refusal.code == "outside_parent"
    with translation.override("en"):
        assert refusal.message().startswith("Only 0% of the outline lies inside 光明区")
    # half in, half out: still refused
    straddling = box(113.96, 22.70, 114.02, 22.74)  # 27% in 光明区, the rest in 龙华区
    assert _refusal(_doc(straddling), city=city, parent=guangming).code == "outside_parent"
    street = guangming.intersection(box(113.85, 22.72, 113.94, 22.80))  # the west of the district, its real border
    outline = B.outline_from_upload(_doc(street), city=city, parent=guangming, parent_name="光明区")
    assert 0.999 < shape(outline.geometry).area / street.area < 1.001


def test_the_uploaders_choice_is_checked_against_what_the_file_says(city):
    refusal = _refusal(GM_GCJ02.read_bytes(), crs=B.WGS84, city=city)
    assert refusal.code == "crs_conflict"
    with translation.override("en"):
        assert refusal.message().startswith("You chose WGS84 but the file says its coordinates are GCJ-02.")
    assert B.declared_crs(json.loads(GM_WGS84.read_text(encoding="utf-8"))) == B.WGS84  # "WGS84 (converted from…)"
    assert B.declared_crs({"type": "Polygon"}) is None
    assert _refusal(b"{}", crs="bd09").code == "crs_unknown"


def test_a_multipolygon_part_of_several_features_must_be_valid_itself(city):
    bowtie = Polygon([(113.90, 22.74), (113.94, 22.78), (113.94, 22.74), (113.90, 22.78)])
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": mapping(g)}
            for g in (bowtie, box(113.95, 22.74, 113.96, 22.75))
        ],
    }
    assert _refusal(json.dumps(collection).encode(), city=city).code == "invalid"
    assert isinstance(B.normalise(MultiPolygon([box(113.9, 22.7, 113.91, 22.71)])), Polygon)


def test_a_replacement_read_in_the_wrong_system_is_refused_when_the_other_reading_matches(city, guangming):
    """The Amap outline of 光明区 without its crs_note, uploaded as WGS84 over the current (WGS84) outline."""
    doc = json.loads(GM_GCJ02.read_text(encoding="utf-8"))
    doc["features"][0]["properties"] = {"name": "光明区"}
    data = json.dumps(doc).encode()
    refusal = _refusal(data, crs=B.WGS84, city=city, current=guangming)
    assert refusal.code == "crs_mixed"
    with translation.override("en"):
        assert refusal.message().startswith("Wrong coordinate system: read as WGS84 the outline lies about 600 m off")
    assert B.outline_from_upload(data, crs=B.GCJ02, city=city, current=guangming).vertices == 1298
    # a WGS84 file labelled GCJ-02 the other way round
    wgs = GM_WGS84.read_text(encoding="utf-8").replace("WGS84 (converted from GCJ-02)", "")
    assert _refusal(wgs.encode(), crs=B.GCJ02, city=city, current=guangming).code == "crs_mixed"
    # a real change of the boundary (the west half only) is not a mix-up
    west = guangming.intersection(box(113.85, 22.72, 113.94, 22.80))
    assert B.outline_from_upload(_doc(west), crs=B.WGS84, city=city, current=guangming).vertices > 100
