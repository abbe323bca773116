"""Petition-office staff for the petition tests (the root cast has none), and a petition ready to act on."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fengqiao.org.models import OrgUnit, Role
from fengqiao.org.services import staff_user_create

OFFICE = "光明区信访局"


@dataclass
class PetitionCast:
    office: OrgUnit
    clerk: object  # handler in the petition office
    head: object  # leader of the petition office
    housing_head: object  # leader of 光明区住房建设局


@pytest.fixture
def pcast(cast) -> PetitionCast:
    office = OrgUnit.objects.get(name=OFFICE)
    housing = OrgUnit.objects.get(name="光明区住房建设局")
    clerk = staff_user_create(username="t_petition", password="x-Pass-2026", name="信访局 办事员",
                              memberships=[(office, Role.HANDLER)])
    head = staff_user_create(username="t_petition_head", password="x-Pass-2026", name="信访局 局长",
                             memberships=[(office, Role.LEADER)])
    housing_head = staff_user_create(username="t_housing_head", password="x-Pass-2026", name="住建局 局长",
                                     memberships=[(housing, Role.LEADER)])
    return PetitionCast(office=office, clerk=clerk, head=head, housing_head=housing_head)


@pytest.fixture
def petition_case(make_case, cast):
    from fengqiao.cases.models import Party
    from fengqiao.cases.services import PartyInput

    return make_case(
        title="小区加装电梯补偿纠纷",
        description="光明社区某小区加装电梯，低层业主认为采光受影响，要求补偿，多次协商未果。",
        parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="李建华", phone="13912345678"),
                 PartyInput(role=Party.PartyRole.RESPONDENT, name="某小区业主委员会", kind=Party.Kind.ORGANISATION)],
        applicant_user=cast.resident,
    )


@pytest.fixture(autouse=True)
def _english():
    """Service and rule messages are read in English here (pages choose their language per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield
