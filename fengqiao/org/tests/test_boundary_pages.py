"""The administrator's outline pages and ./fq manage load_boundary: stored in WGS84, recorded, all or nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from shapely.geometry import Point, box, mapping, shape

from fengqiao.org import boundaries
from fengqiao.org.models import BoundaryChange, Region, Role

HERE = Path(__file__).resolve().parent
GM_GCJ02 = HERE / "data" / "guangming_district_gcj02.geojson"
GM_WGS84 = HERE.parent / "data" / "guangming_district_wgs84.geojson"
LH_WGS84 = HERE.parent / "data" / "luohu_district_wgs84.geojson"
DISTRICT, STREET, COMMUNITY = "440311", "440311001", "440311001001"  # 光明区, 光明街道, 光明社区


def _shipped(path: Path):
    return shape(json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"])


def _street_polygon():
    """The west of 光明区, cut from the real district outline (no public street outlines exist)."""
    return _shipped(GM_WGS84).intersection(box(113.85, 22.72, 113.94, 22.80))


def _upload(geom_or_bytes, name="outline.geojson") -> SimpleUploadedFile:
    data = (
        geom_or_bytes
        if isinstance(geom_or_bytes, bytes)
        else json.dumps(
            {"type": "Feature", "properties": {"name": "光明街道"}, "geometry": mapping(geom_or_bytes)}
        ).encode()
    )
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


@pytest.fixture
def admin(cast, org):
    from fengqiao.org.services import staff_user_create

    return staff_user_create(
        username="t_outline_admin",
        password="Outline-pass-2026",
        name="管理员 林建国",
        memberships=[(org.district_centre, Role.ADMINISTRATOR)],
    )


@pytest.fixture
def luohu_admin(cast, org):
    from fengqiao.org.services import staff_user_create

    return staff_user_create(
        username="t_outline_lh_admin",
        password="Outline-pass-2026",
        name="罗湖管理员",
        memberships=[(org.luohu_centre, Role.ADMINISTRATOR)],
    )


def _state(code: str):
    region = Region.objects.get(code=code)
    return region.boundary, region.latitude, region.longitude, BoundaryChange.objects.count()


def test_the_tree_shows_the_admins_district_with_outlines_points_and_children(admin, client_for):
    response = client_for(admin).get(reverse("org:regions"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-region="{DISTRICT}"' in page and f'data-region="{COMMUNITY}"' in page
    assert 'data-region="440303"' not in page  # 罗湖区: not this administrator's
    rows = {r.code: r for r in response.context["rows"]}
    assert rows[DISTRICT].has_boundary and rows[DISTRICT].children_count == 6  # six streets
    assert not rows[STREET].has_boundary and rows[STREET].children_count == 6  # 光明街道's six communities
    assert rows[DISTRICT].depth == 0 and rows[COMMUNITY].depth == 2


def test_a_gcj02_upload_is_stored_in_wgs84_about_500_m_off_and_recorded(admin, client_for):
    region = Region.objects.get(code=DISTRICT)
    before = region.boundary
    Region.objects.filter(pk=region.pk).update(boundary=None, latitude=None, longitude=None)
    client = client_for(admin)
    url = reverse("org:region_boundary", args=[DISTRICT])
    response = client.post(
        url, {"file": _upload(GM_GCJ02.read_bytes(), "光明区_gcj02.geojson"), "crs": boundaries.GCJ02}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    region.refresh_from_db()
    stored = shape(region.boundary)
    assert stored.symmetric_difference(shape(before)).area < 1e-9  # what the shipped WGS84 outline is
    published = _shipped(GM_GCJ02)
    shift = Point(published.centroid).distance(stored.centroid) * 111_000
    assert 450 < shift < 700, shift
    assert stored.contains(Point(region.longitude, region.latitude))  # the point is set, inside
    change = BoundaryChange.objects.get(region=region)
    assert (change.actor, change.via, change.action, change.source_crs) == (admin, "page", "set", "gcj02")
    assert change.old_sha256 == "" and change.new_sha256 == boundaries.geometry_hash(region.boundary)
    assert change.vertices == 1298 and abs(change.area_km2 - 155.44) < 1.5
    page = client.get(url).content.decode()
    assert 'id="outline-vertices">1298<' in page and "km²" in page and "光明区_gcj02.geojson" in page


def test_a_street_inside_its_district_is_loaded_and_one_outside_refused_changing_nothing(admin, client_for):
    client = client_for(admin)
    client.cookies["django_language"] = "en"
    url = reverse("org:region_boundary", args=[STREET])
    luohu = _shipped(LH_WGS84)
    before = _state(STREET)
    refused = client.post(url, {"file": _upload(luohu), "crs": boundaries.WGS84})
    assert refused.status_code == 400
    assert "Only 0% of the outline lies inside 光明区" in refused.content.decode()
    drawn = refused.context["map_data"]["refused"]  # the map shows where the refused file lies
    assert shape(drawn).intersection(luohu).area / luohu.area > 0.99
    assert "where the refused file lies" in refused.content.decode()
    assert _state(STREET) == before
    street = _street_polygon()
    response = client.post(url, {"file": _upload(street), "crs": boundaries.WGS84})
    assert response.status_code == 302
    region = Region.objects.get(code=STREET)
    assert abs(shape(region.boundary).area / street.area - 1) < 0.001
    assert region.boundary["type"] == "Polygon" and shape(region.boundary).exterior.is_ccw
    assert street.contains(Point(region.longitude, region.latitude))
    # a community of that street must now lie inside the street's outline
    community_url = reverse("org:region_boundary", args=[COMMUNITY])
    east = box(113.96, 22.74, 113.97, 22.75)  # in 光明区, not in the west part loaded as the street
    answer = client.post(community_url, {"file": _upload(east), "crs": boundaries.WGS84})
    assert answer.status_code == 400 and "inside 光明街道" in answer.content.decode()


@pytest.mark.parametrize(
    ("body", "english", "chinese"),
    [
        (b"not json at all", "The file is not JSON", "不是 JSON"),
        (
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[113.90, 22.74], [113.94, 22.78], [113.94, 22.74], [113.90, 22.78], [113.90, 22.74]]
                    ],
                }
            ).encode(),
            "The outline crosses itself near 22.76000°N, 113.92000°E.",
            "边界在 22.76000°N, 113.92000°E 附近自相交。",
        ),
        (
            json.dumps(mapping(box(12_680_000, 2_590_000, 12_690_000, 2_600_000))).encode(),
            "Wrong coordinate system",
            "坐标系错误",
        ),
        (
            json.dumps(mapping(box(116.38, 39.90, 116.42, 39.93))).encode(),
            "The outline lies outside 深圳市",
            "深圳市之外",
        ),
    ],
)
def test_bad_uploads_are_refused_with_the_reason_in_both_languages_nothing_written(
    admin, client_for, body, english, chinese
):
    client = client_for(admin)
    url = reverse("org:region_boundary", args=[DISTRICT])
    before = _state(DISTRICT)
    for language, expected in (("en", english), ("zh-hans", chinese)):
        client.cookies["django_language"] = language
        response = client.post(url, {"file": _upload(body), "crs": boundaries.AUTO})
        assert response.status_code == 400
        page = response.content.decode()
        assert expected in page, page[page.find("boundary-refused") :][:600]
        assert 'id="refusal"' in page
    assert _state(DISTRICT) == before


def test_remove_takes_the_outline_off_and_records_it(admin, client_for):
    region = Region.objects.get(code=DISTRICT)
    old_hash = boundaries.geometry_hash(region.boundary)
    client = client_for(admin)
    response = client.post(reverse("org:region_boundary_remove", args=[DISTRICT]))
    assert response.status_code == 302
    region.refresh_from_db()
    assert region.boundary is None and region.latitude is not None  # the point stays
    change = BoundaryChange.objects.get(region=region)
    assert (change.action, change.old_sha256, change.new_sha256, change.actor) == ("removed", old_hash, "", admin)
    again = client.post(reverse("org:region_boundary_remove", args=[DISTRICT]))
    assert again.status_code == 302 and BoundaryChange.objects.count() == 1


def test_others_are_refused_and_another_districts_admin_does_not_see_the_region(cast, luohu_admin, client_for):
    url = reverse("org:region_boundary", args=[DISTRICT])
    for user in (cast.op_district, cast.leader, cast.auditor):
        client = client_for(user)
        assert client.get(reverse("org:regions")).status_code == 404
        assert client.post(url, {"file": _upload(_street_polygon()), "crs": "wgs84"}).status_code == 404
    other = client_for(luohu_admin)
    assert other.get(url).status_code == 404
    assert other.get(reverse("org:region_boundary", args=["440303"])).status_code == 200
    tree = other.get(reverse("org:regions"))
    assert 'data-region="440303"' in tree.content.decode() and f'data-region="{DISTRICT}"' not in tree.content.decode()
    from django.test import Client

    assert Client().get(reverse("org:regions")).status_code == 302
    assert BoundaryChange.objects.count() == 0


def test_the_command_loads_a_gcj02_file_refuses_a_bad_one_and_removes(tmp_path, db, cast):
    street_file = tmp_path / "guangming_street.geojson"
    gcj = [boundaries.wgs84_to_gcj02(x, y) for x, y in _street_polygon().exterior.coords]
    street_file.write_text(json.dumps({"type": "Polygon", "coordinates": [gcj]}), encoding="utf-8")
    out = StringIO()
    call_command("load_boundary", STREET, str(street_file), "--crs", "gcj02", stdout=out)
    assert "outline loaded (converted from GCJ-02)" in out.getvalue()
    region = Region.objects.get(code=STREET)
    assert shape(region.boundary).symmetric_difference(_street_polygon()).area / _street_polygon().area < 1e-4
    change = BoundaryChange.objects.get(region=region)
    assert change.via == "command" and change.actor is None and change.file_name == "guangming_street.geojson"

    swapped = tmp_path / "swapped.geojson"
    swapped.write_text(json.dumps({"type": "Polygon", "coordinates": [[[y, x] for x, y in gcj]]}), encoding="utf-8")
    before = _state(STREET)
    with pytest.raises(CommandError) as caught:
        call_command("load_boundary", STREET, str(swapped))
    message = str(caught.value)
    assert (
        "refused (swapped)" in message and "经纬度写反了" in message and "Latitude and longitude are swapped" in message
    )
    assert _state(STREET) == before
    with pytest.raises(CommandError):
        call_command("load_boundary", "999999", str(street_file))

    call_command("load_boundary", STREET, "--remove", stdout=out)
    assert Region.objects.get(code=STREET).boundary is None
    assert list(BoundaryChange.objects.filter(region=region).values_list("action", flat=True)) == ["removed", "set"]
