from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fengqiao.org.loaders import load_district
from fengqiao.org.models import Membership, OrgUnit, Region, RegionLevel, ServicePoint, UnitKind
from fengqiao.org.rules import CENTRE_PARENT_KIND

pytestmark = pytest.mark.django_db

GM, LH = "440311", "440303"


def _counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "units": OrgUnit.objects.count(),
        "points": ServicePoint.objects.count(),
        "memberships": Membership.objects.count(),
    }


def test_guangming_has_one_district_six_streets_and_thirty_one_communities(cast):
    district = Region.objects.get(code=GM)
    assert district.level == RegionLevel.DISTRICT
    assert district.case_prefix == "GM"
    assert district.boundary is not None and district.latitude is not None
    streets = Region.objects.filter(parent=district, level=RegionLevel.STREET)
    communities = Region.objects.filter(parent__in=streets, level=RegionLevel.COMMUNITY)
    assert streets.count() == 6
    assert communities.count() == 31
    # "1+6+31": one centre per district, street and community
    assert OrgUnit.objects.filter(region=district, kind=UnitKind.DISTRICT_CENTRE).count() == 1
    assert OrgUnit.objects.filter(region__in=streets, kind=UnitKind.STREET_CENTRE).count() == 6
    assert OrgUnit.objects.filter(region__in=communities, kind=UnitKind.COMMUNITY_CENTRE).count() == 31


def test_luohu_has_ten_streets_each_with_a_centre(cast):
    district = Region.objects.get(code=LH)
    streets = Region.objects.filter(parent=district, level=RegionLevel.STREET)
    assert streets.count() == 10
    assert OrgUnit.objects.filter(region__in=streets, kind=UnitKind.STREET_CENTRE).count() == 10
    communities = Region.objects.filter(parent__in=streets)
    assert OrgUnit.objects.filter(region__in=communities, kind=UnitKind.COMMUNITY_CENTRE).count() == communities.count()


def test_paths_follow_the_trees(cast):
    for region in Region.objects.select_related("parent"):
        expected = (region.parent.path if region.parent else "/") + f"{region.code}/"
        assert region.path == expected
    for unit in OrgUnit.objects.select_related("parent"):
        expected = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
        assert unit.path == expected
    # every centre reports to the right kind of centre
    for unit in OrgUnit.objects.filter(kind__in=CENTRE_PARENT_KIND).select_related("parent"):
        wanted = CENTRE_PARENT_KIND[unit.kind]
        assert (unit.parent.kind if unit.parent else None) == wanted


def test_districts_do_not_share_units(cast):
    gm_centre = OrgUnit.objects.get(kind=UnitKind.DISTRICT_CENTRE, region__code=GM)
    lh_centre = OrgUnit.objects.get(kind=UnitKind.DISTRICT_CENTRE, region__code=LH)
    gm_units = set(OrgUnit.objects.filter(path__startswith=gm_centre.path).values_list("pk", flat=True))
    lh_units = set(OrgUnit.objects.filter(path__startswith=lh_centre.path).values_list("pk", flat=True))
    assert gm_units and lh_units and not gm_units & lh_units
    assert gm_units | lh_units == set(OrgUnit.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("code", [GM, LH])
def test_loading_a_district_again_creates_nothing_new(cast, code):
    before = _counts()
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    tokens = set(ServicePoint.objects.values_list("token", flat=True))
    load_district(code, stations_per_community=2 if code == GM else 0)
    assert _counts() == before
    assert dict(OrgUnit.objects.values_list("pk", "path")) == paths
    # printed QR codes keep working: reloading never changes a point's token
    assert set(ServicePoint.objects.values_list("token", flat=True)) == tokens


def test_unknown_district_is_refused_and_nothing_written(cast):
    before = _counts()
    with pytest.raises(ValidationError, match="440399"):
        load_district("440399")
    assert _counts() == before
