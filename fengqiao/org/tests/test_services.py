"""Bad input to the organisation's write path is refused whole: a ValidationError and nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fengqiao.accounts.models import User
from fengqiao.org.models import (
    Membership,
    OrgUnit,
    Region,
    RegionLevel,
    Role,
    ServicePoint,
    ServicePointLevel,
    UnitKind,
)
from fengqiao.org.rules import region_code_error, role_unit_error, unit_parent_error
from fengqiao.org.services import (
    membership_grant,
    region_save,
    service_point_save,
    staff_user_create,
    unit_save,
)

GM = "440311"
GM_STREET = "440311001"
GM_COMMUNITY = "440311001001"


@pytest.fixture(autouse=True)
def _english():
    """The messages below are matched in English (the source language)."""
    with translation.override("en"):
        yield


def _counts() -> tuple[int, ...]:
    return (
        Region.objects.count(),
        OrgUnit.objects.count(),
        ServicePoint.objects.count(),
        Membership.objects.count(),
        User.objects.count(),
    )


@pytest.fixture
def unchanged(cast):
    """Asserts, after the test body, that the organisation and the accounts are exactly as before."""
    before = _counts()
    units = dict(OrgUnit.objects.values_list("pk", "path"))
    regions = dict(Region.objects.values_list("code", "path"))
    yield
    assert _counts() == before
    assert dict(OrgUnit.objects.values_list("pk", "path")) == units
    assert dict(Region.objects.values_list("code", "path")) == regions


# --- rules: plain functions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "code", "parent_level", "parent_code", "fragment"),
    [
        ("province", "440000", None, None, "Unknown region level"),
        (RegionLevel.STREET, "44031100", RegionLevel.DISTRICT, GM, "not a valid code"),
        (RegionLevel.STREET, "44031100A", RegionLevel.DISTRICT, GM, "not a valid code"),
        (RegionLevel.COMMUNITY, "440311001", RegionLevel.STREET, GM_STREET, "not a valid code"),
        (RegionLevel.GRID, "440311001001", RegionLevel.COMMUNITY, GM_COMMUNITY, "not a valid code"),
        (RegionLevel.STREET, "440303001", RegionLevel.DISTRICT, GM, "does not belong"),
        (RegionLevel.DISTRICT, "450311", RegionLevel.CITY, "440300", "does not belong"),
        (RegionLevel.COMMUNITY, "440311001001", RegionLevel.DISTRICT, GM, "must sit under"),
        (RegionLevel.STREET, "440311001", None, None, "must sit under"),
        (RegionLevel.CITY, "440300", RegionLevel.CITY, "440000", "no parent"),
    ],
)
def test_region_code_error_names_the_problem(level, code, parent_level, parent_code, fragment):
    error = region_code_error(level=level, code=code, parent_level=parent_level, parent_code=parent_code)
    assert error is not None and fragment in error


@pytest.mark.parametrize(
    ("level", "code", "parent_level", "parent_code"),
    [
        (RegionLevel.CITY, "440300", None, None),
        (RegionLevel.DISTRICT, "440311", RegionLevel.CITY, "440300"),
        (RegionLevel.STREET, "440311001", RegionLevel.DISTRICT, GM),
        (RegionLevel.COMMUNITY, "440311001001", RegionLevel.STREET, GM_STREET),
        (RegionLevel.GRID, "440311001001-07", RegionLevel.COMMUNITY, GM_COMMUNITY),
    ],
)
def test_region_code_error_accepts_good_codes(level, code, parent_level, parent_code):
    assert region_code_error(level=level, code=code, parent_level=parent_level, parent_code=parent_code) is None


def test_unit_parent_error_rules():
    assert "itself" in unit_parent_error(kind=UnitKind.DEPARTMENT, parent_kind=UnitKind.DEPARTMENT, creates_cycle=True)
    assert unit_parent_error(kind=UnitKind.DISTRICT_CENTRE, parent_kind=UnitKind.STREET_CENTRE, creates_cycle=False)
    assert unit_parent_error(kind=UnitKind.STREET_CENTRE, parent_kind=UnitKind.COMMUNITY_CENTRE, creates_cycle=False)
    assert unit_parent_error(kind=UnitKind.COMMUNITY_CENTRE, parent_kind=None, creates_cycle=False)
    assert unit_parent_error(kind=UnitKind.DEPARTMENT, parent_kind=None, creates_cycle=False)
    assert unit_parent_error(kind=UnitKind.DISTRICT_CENTRE, parent_kind=None, creates_cycle=False) is None
    assert (
        unit_parent_error(kind=UnitKind.COMMUNITY_CENTRE, parent_kind=UnitKind.STREET_CENTRE, creates_cycle=False)
        is None
    )
    assert (
        unit_parent_error(kind=UnitKind.DEPARTMENT, parent_kind=UnitKind.DISTRICT_CENTRE, creates_cycle=False) is None
    )


def test_role_unit_error_rules():
    assert role_unit_error(role="janitor", unit_kind=UnitKind.DEPARTMENT)
    assert role_unit_error(role=Role.OPERATOR, unit_kind=UnitKind.DEPARTMENT)
    assert role_unit_error(role=Role.COURT_CLERK, unit_kind=UnitKind.DEPARTMENT)
    assert role_unit_error(role=Role.HANDLER, unit_kind=UnitKind.STREET_CENTRE)
    assert role_unit_error(role=Role.GRID_WORKER, unit_kind=UnitKind.DISTRICT_CENTRE)
    assert role_unit_error(role=Role.OPERATOR, unit_kind=UnitKind.COMMUNITY_CENTRE) is None
    assert role_unit_error(role=Role.COURT_CLERK, unit_kind=UnitKind.COURT) is None
    assert role_unit_error(role=Role.AUDITOR, unit_kind=UnitKind.DEPARTMENT) is None


# --- services: refused whole, nothing half-written ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "level", "parent_code"),
    [
        ("44031100X", RegionLevel.STREET, GM),  # malformed
        ("4403110", RegionLevel.STREET, GM),  # wrong length
        ("440303099", RegionLevel.STREET, GM),  # Luohu's prefix under Guangming
        ("440311009001", RegionLevel.COMMUNITY, GM),  # community straight under a district
        ("440311009", RegionLevel.STREET, GM_STREET),  # street under a street
        ("440311009", "province", GM),  # unknown level
    ],
)
def test_region_save_refuses_bad_codes(unchanged, code, level, parent_code):
    with pytest.raises(ValidationError) as exc:
        region_save(code=code, name="新区域", level=level, parent=Region.objects.get(code=parent_code))
    assert "code" in exc.value.message_dict
    assert not Region.objects.filter(code=code).exists()


@pytest.mark.django_db
def test_region_save_refuses_moving_an_existing_region_to_a_wrong_parent(unchanged):
    street = Region.objects.get(code=GM_STREET)
    with pytest.raises(ValidationError):
        region_save(
            code=GM_STREET, name=street.name, level=RegionLevel.STREET, parent=Region.objects.get(code="440303")
        )
    street.refresh_from_db()
    assert street.parent.code == GM


@pytest.mark.django_db
def test_region_save_refuses_a_blank_name(unchanged):
    with pytest.raises(ValidationError) as exc:
        region_save(code="440311009", name="   ", level=RegionLevel.STREET, parent=Region.objects.get(code=GM))
    assert "name" in exc.value.message_dict


@pytest.mark.django_db
def test_region_save_creates_then_updates_in_place(cast):
    district = Region.objects.get(code=GM)
    created = region_save(code="440311009", name="测试街道", level=RegionLevel.STREET, parent=district)
    assert created.path == f"{district.path}440311009/"
    again = region_save(code="440311009", name="测试街道（改名）", level=RegionLevel.STREET, parent=district)
    assert again.pk == created.pk
    assert Region.objects.get(code="440311009").name == "测试街道（改名）"


@pytest.mark.django_db
def test_unit_cannot_report_to_itself(unchanged, org):
    hr = org.hr
    with pytest.raises(ValidationError) as exc:
        unit_save(name=hr.name, kind=hr.kind, region=hr.region, parent=hr)
    assert "parent" in exc.value.message_dict


@pytest.mark.django_db
def test_unit_cannot_report_to_a_unit_below_it(org):
    hr = org.hr
    section = unit_save(name="劳动监察大队", kind=UnitKind.DEPARTMENT, region=hr.region, parent=hr)
    deeper = unit_save(name="劳动监察一中队", kind=UnitKind.DEPARTMENT, region=hr.region, parent=section)
    assert deeper.path == f"{hr.path}{section.pk}/{deeper.pk}/"
    units = dict(OrgUnit.objects.values_list("pk", "path"))
    with pytest.raises(ValidationError) as exc:
        unit_save(name=hr.name, kind=hr.kind, region=hr.region, parent=deeper)
    assert "parent" in exc.value.message_dict
    hr.refresh_from_db()
    assert hr.parent == org.district_centre
    assert dict(OrgUnit.objects.values_list("pk", "path")) == units


@pytest.mark.django_db
def test_moving_a_unit_repaths_its_subtree(org):
    section = unit_save(name="劳动监察大队", kind=UnitKind.DEPARTMENT, region=org.hr.region, parent=org.hr)
    deeper = unit_save(name="劳动监察一中队", kind=UnitKind.DEPARTMENT, region=org.hr.region, parent=section)
    unit_save(name=section.name, kind=section.kind, region=section.region, parent=org.housing)
    deeper.refresh_from_db()
    assert deeper.path == f"{org.housing.path}{section.pk}/{deeper.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        (UnitKind.COMMUNITY_CENTRE, "district_centre"),  # must report to a street centre
        (UnitKind.STREET_CENTRE, "community_centre"),
        (UnitKind.DISTRICT_CENTRE, "street_centre"),
        (UnitKind.DEPARTMENT, None),  # a handling unit needs someone above it
    ],
)
def test_unit_save_refuses_wrong_parent_kind(unchanged, org, kind, parent_attr):
    parent = getattr(org, parent_attr) if parent_attr else None
    with pytest.raises(ValidationError) as exc:
        unit_save(name="新单位", kind=kind, region=Region.objects.get(code=GM_STREET), parent=parent)
    assert "parent" in exc.value.message_dict
    assert not OrgUnit.objects.filter(name="新单位").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "unit_attr"),
    [
        (Role.OPERATOR, "hr"),
        (Role.STATION_STAFF, "court"),
        (Role.HANDLER, "community_centre"),
        (Role.COURT_CLERK, "hr"),
        (Role.GRID_WORKER, "district_centre"),
        ("janitor", "hr"),
    ],
)
def test_membership_grant_refuses_a_role_the_unit_kind_does_not_allow(unchanged, cast, org, role, unit_attr):
    with pytest.raises(ValidationError) as exc:
        membership_grant(user=cast.outsider, unit=getattr(org, unit_attr), role=role)
    assert "role" in exc.value.message_dict


@pytest.mark.django_db
def test_staff_user_without_a_unit_is_refused(unchanged):
    with pytest.raises(ValidationError) as exc:
        staff_user_create(username="t_nobody", password="x-Long-pass-1", name="无单位", memberships=[])
    assert "memberships" in exc.value.message_dict
    assert not User.objects.filter(username="t_nobody").exists()


@pytest.mark.django_db
def test_staff_user_with_one_bad_membership_is_not_half_created(unchanged, org):
    with pytest.raises(ValidationError):
        staff_user_create(
            username="t_half",
            password="x-Long-pass-1",
            name="半个账号",
            memberships=[(org.community_centre, Role.OPERATOR), (org.hr, Role.OPERATOR)],
        )
    assert not User.objects.filter(username="t_half").exists()


@pytest.mark.django_db
def test_staff_user_create_is_idempotent_and_hashes_the_password(org):
    args = {"username": "t_twice", "password": "x-Long-pass-1", "name": "两次", "memberships": [(org.hr, Role.HANDLER)]}
    first = staff_user_create(**args)
    memberships = Membership.objects.count()
    second = staff_user_create(**args)
    assert first.pk == second.pk
    assert Membership.objects.count() == memberships
    assert second.check_password("x-Long-pass-1") and second.password != "x-Long-pass-1"


@pytest.mark.django_db
def test_service_point_run_by_a_unit_outside_its_region_is_refused(unchanged, org):
    with pytest.raises(ValidationError) as exc:
        service_point_save(
            name="越界服务站",
            level=ServicePointLevel.STATION,
            region=Region.objects.get(code="440303001001"),
            unit=org.community_centre,
        )
    assert "unit" in exc.value.message_dict
