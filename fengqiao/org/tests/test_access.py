"""The visibility rule for every role: `Case.objects.visible_to(user)` and `may(...)` agree and never reach beyond."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import Membership

pytestmark = pytest.mark.django_db

HOME = "440311001001"  # 光明街道 光明社区 (the community centre of the cast)
NEIGHBOUR = "440311001002"  # 光明街道 碧眼社区: same street, another community
OTHER_STREET = "440311002001"  # 公明街道
THIRD_STREET = "440311003001"  # 新湖街道
LUOHU = "440303001001"


@dataclass
class World:
    home: Case  # submitted in 光明社区 by the resident, held by its community centre
    neighbour: Case  # submitted in 碧眼社区, held by that community's centre
    other_street: Case  # submitted in 公明街道, held by that community's centre
    hr: Case  # 公明街道, dispatched to 光明区人力资源局
    assisted: Case  # 新湖街道, dispatched to 住房建设局 with 人力资源局 assisting
    moved_away: Case  # dispatched to 人力资源局, then re-dispatched to 住房建设局
    mediation: Case  # 公明街道, dispatched to 光明街道人民调解委员会 (a unit below the 光明 street centre)
    court: Case  # 新湖街道, dispatched to 光明区法院
    grid: Case  # 公明街道, reported by the grid worker
    volunteer: Case  # 新湖街道, reported by the volunteer
    luohu: Case  # a Luohu case

    def all(self) -> dict[str, Case]:
        return dict(vars(self))


@pytest.fixture(scope="module")
def world(module_db, builders) -> World:
    """Built once per module (the services are slow enough to matter when 30 tests each rebuild it)."""
    cast, org, make_case = builders.load_cast(), builders.load_org(), builders.case_maker()
    op = cast.op_district

    def dispatched(code, unit, assisting=()):
        case = make_case(code)
        cs.case_accept(case=case, actor=op)
        cs.case_dispatch(case=case, actor=op, unit=unit, assisting=list(assisting))
        return case

    moved = dispatched(OTHER_STREET, org.hr)
    cs.case_dispatch(case=moved, actor=op, unit=org.housing, note="职责不符，改派住建局")
    return World(
        home=make_case(HOME, applicant_user=cast.resident),
        neighbour=make_case(NEIGHBOUR),
        other_street=make_case(OTHER_STREET),
        hr=dispatched(OTHER_STREET, org.hr),
        assisted=dispatched(THIRD_STREET, org.housing, [org.hr]),
        moved_away=moved,
        mediation=dispatched(OTHER_STREET, org.mediation),
        court=dispatched(THIRD_STREET, org.court),
        grid=make_case(OTHER_STREET, channel=Channel.GRID, reporter=cast.grid),
        volunteer=make_case(THIRD_STREET, channel=Channel.GRID, reporter=cast.volunteer),
        luohu=make_case(LUOHU),
    )


GUANGMING = {
    "home",
    "neighbour",
    "other_street",
    "hr",
    "assisted",
    "moved_away",
    "mediation",
    "court",
    "grid",
    "volunteer",
}

# Who sees which of the world's cases: one line per member of the cast.
EXPECTED_VISIBLE: dict[str, set[str]] = {
    "op_district": GUANGMING,
    "leader": GUANGMING,
    "auditor": GUANGMING,  # reads the whole district it belongs to, never beyond
    # the 光明 street centre: its two communities, and the units below it (the mediation committee)
    "op_street": {"home", "neighbour", "mediation"},
    "op_community": {"home"},
    "station": {"home"},
    "handler": {"hr", "assisted"},  # held, or assisting; not the case re-dispatched away
    "handler_other": {"assisted", "moved_away"},
    "mediator": {"mediation"},
    "court": {"court"},
    "grid": {"grid"},
    "volunteer": {"volunteer"},
    "admin": set(),  # keeps the organisation, reads no case
    "resident": {"home"},
    "outsider": set(),
    "luohu_op": {"luohu"},
}


def test_every_member_of_the_cast_has_an_expectation(cast):
    assert set(EXPECTED_VISIBLE) == {name for name, _ in cast.items()}


@pytest.mark.parametrize("who", sorted(EXPECTED_VISIBLE))
def test_visible_to_and_may_view_agree_with_the_table(cast, world, who):
    user = getattr(cast, who)
    by_pk = {case.pk: name for name, case in world.all().items()}
    visible = {by_pk[pk] for pk in Case.objects.visible_to(user).values_list("pk", flat=True) if pk in by_pk}
    assert visible == EXPECTED_VISIBLE[who]
    for name, case in world.all().items():
        assert may(user, Capability.CASE_VIEW, case) is (name in EXPECTED_VISIBLE[who]), name


def test_visible_to_returns_each_case_once(cast, world):
    # a case with two assignments in scope must not come back twice
    pks = list(Case.objects.visible_to(cast.op_district).values_list("pk", flat=True))
    assert len(pks) == len(set(pks))


def test_nobody_signed_in_sees_nothing(world):
    anonymous = AnonymousUser()
    assert not Case.objects.visible_to(anonymous).exists()
    assert not may(anonymous, Capability.CASE_VIEW, world.home)


def test_outsider_may_do_nothing_at_all(cast, world):
    for capability in Capability:
        assert not may(cast.outsider, capability)
        for case in world.all().values():
            assert not may(cast.outsider, capability, case)


def test_luohu_operator_may_not_act_on_guangming(cast, world):
    for name in GUANGMING:
        case = getattr(world, name)
        for capability in (Capability.CASE_VIEW, Capability.CASE_REVIEW, Capability.CASE_DISPATCH):
            assert not may(cast.luohu_op, capability, case)
    assert may(cast.luohu_op, Capability.CASE_DISPATCH, world.luohu)


def test_auditor_reads_everything_in_the_district_and_changes_nothing(cast, world):
    assert not may(cast.auditor, Capability.CASE_VIEW, world.luohu)
    for name in GUANGMING:
        case = getattr(world, name)
        assert may(cast.auditor, Capability.CASE_VIEW, case)
        for capability in (Capability.CASE_DISPATCH, Capability.CASE_REVIEW, Capability.CASE_HANDLE):
            assert not may(cast.auditor, capability, case)
    assert may(cast.auditor, Capability.AUDIT_READ)
    assert not may(cast.auditor, Capability.CASE_DISPATCH)


def test_administrator_keeps_the_organisation_but_reads_no_case(cast, world):
    assert may(cast.admin, Capability.ORG_ADMIN)
    assert not Case.objects.visible_to(cast.admin).exists()
    for case in world.all().values():
        assert not may(cast.admin, Capability.CASE_VIEW, case)
        assert not may(cast.admin, Capability.PII_REVEAL, case)


def test_centre_operators_dispatch_only_within_their_scope(cast, world):
    assert may(cast.op_community, Capability.CASE_DISPATCH, world.home)
    assert not may(cast.op_community, Capability.CASE_DISPATCH, world.neighbour)
    assert may(cast.op_street, Capability.CASE_DISPATCH, world.neighbour)
    assert not may(cast.op_street, Capability.CASE_DISPATCH, world.other_street)
    assert may(cast.op_district, Capability.CASE_DISPATCH, world.other_street)


def test_station_staff_take_in_but_do_not_dispatch(cast, world):
    assert may(cast.station, Capability.CASE_INTAKE)
    assert not may(cast.station, Capability.CASE_DISPATCH)
    assert not may(cast.station, Capability.CASE_REVIEW, world.home)


def test_departments_handle_only_their_own_cases(cast, world):
    assert may(cast.handler, Capability.CASE_HANDLE, world.hr)
    assert not may(cast.handler_other, Capability.CASE_HANDLE, world.hr)
    assert not may(cast.handler, Capability.CASE_HANDLE, world.moved_away)
    assert not may(cast.handler, Capability.CASE_DISPATCH, world.hr)


def test_grid_workers_and_volunteers_report_but_see_only_their_reports(cast, world):
    for who in (cast.grid, cast.volunteer):
        assert may(who, Capability.CASE_REPORT)
        assert not may(who, Capability.CASE_VIEW, world.home)  # in their own community, but not theirs


def test_resident_sees_only_their_own_case(cast, world):
    assert list(Case.objects.visible_to(cast.resident)) == [world.home]
    assert not may(cast.resident, Capability.CASE_DISPATCH, world.home)


def test_an_ended_membership_ends_the_view(cast, world):
    Membership.objects.filter(user=cast.op_community).update(is_active=False)
    fresh = type(cast.op_community).objects.get(pk=cast.op_community.pk)
    assert not Case.objects.visible_to(fresh).exists()
    assert scope_for(fresh).grants == ()


def test_scope_is_computed_once_per_user_object(cast, django_assert_num_queries):
    scope_for(cast.op_street)
    with django_assert_num_queries(0):
        scope_for(cast.op_street)
