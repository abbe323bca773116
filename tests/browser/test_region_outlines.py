"""The administrator loads a street's outline through the real form (a GCJ-02 file): the page draws it on the map
(a Leaflet path, no tile server) with its area and point count, and the region holds it in WGS84; a file that
crosses itself is refused with the reason and the map still draws the district's outline as the context."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box, shape

from fengqiao.org import boundaries
from fengqiao.org.models import BoundaryChange, Region
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STREET = "440311001"  # 光明街道


def test_an_administrator_loads_a_street_outline_and_sees_it_drawn(new_page, demo_site, tmp_path):
    district = shape(Region.objects.get(code="440311").boundary)
    street = district.intersection(box(113.85, 22.72, 113.94, 22.80))  # the west of the real district outline
    gcj = [list(boundaries.wgs84_to_gcj02(x, y)) for x, y in street.exterior.coords]
    good = tmp_path / "光明街道_gcj02.geojson"
    good.write_text(
        json.dumps(
            {
                "type": "Feature",
                "properties": {"crs_note": "GCJ-02"},
                "geometry": {"type": "Polygon", "coordinates": [gcj]},
            }
        ),
        encoding="utf-8",
    )
    bowtie = tmp_path / "bowtie.geojson"
    bowtie.write_text(
        json.dumps(
            {
                "type": "Polygon",
                "coordinates": [[[113.90, 22.74], [113.94, 22.78], [113.94, 22.74], [113.90, 22.78], [113.90, 22.74]]],
            }
        ),
        encoding="utf-8",
    )
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    staff_sign_in(page, demo_site, "gm_admin")
    page.goto("/org/regions/")
    page.locator(f'tr[data-region="{STREET}"] a').click()
    page.wait_for_url(f"**/org/regions/{STREET}/boundary/")
    assert page.locator("#boundary-map path").count() == 1  # the district's outline (dashed), as context

    page.set_input_files("#id_file", str(bowtie))
    with page.expect_navigation():
        page.locator("form.stacked button.primary").click()
    assert "22.76000°N, 113.92000°E" in page.locator("#refusal").inner_text()
    assert Region.objects.get(code=STREET).boundary is None

    page.set_input_files("#id_file", str(good))
    page.select_option("#id_crs", "gcj02")
    with page.expect_navigation():
        page.locator("form.stacked button.primary").click()
    page.wait_for_url(f"**/org/regions/{STREET}/boundary/")
    region = Region.objects.get(code=STREET)
    stored = shape(region.boundary)
    assert stored.symmetric_difference(street).area / street.area < 1e-4  # back in WGS84
    assert page.locator("#outline-vertices").inner_text() == str(BoundaryChange.objects.get(region=region).vertices)
    assert page.locator("#boundary-map path").count() >= 2  # the street drawn over its district
    assert page.locator("#boundary-map path.leaflet-interactive").first.is_visible()
    assert not errors
