"""A position given in GCJ-02 (Amap, Tencent) is stored in WGS84 by the same converter as region outlines."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fengqiao.intake.validation import clean_coordinates
from fengqiao.org.boundaries import wgs84_to_gcj02

GPS = (22.7500, 113.9300)  # lat, lng: inside 光明区


@pytest.mark.django_db
def test_a_gcj02_position_comes_back_as_the_gps_point(org):
    g_lng, g_lat = wgs84_to_gcj02(GPS[1], GPS[0])
    assert abs(g_lng - GPS[1]) > 0.003  # the ≈500 m shift is real
    lat, lng = clean_coordinates(g_lat, g_lng, system="gcj02")
    assert lat == pytest.approx(GPS[0], abs=1e-7) and lng == pytest.approx(GPS[1], abs=1e-7)
    assert clean_coordinates(*GPS) == GPS


@pytest.mark.django_db
def test_a_position_outside_the_served_districts_is_refused(org):
    with pytest.raises(ValidationError):
        clean_coordinates(39.9, 116.4, system="gcj02")  # Beijing
