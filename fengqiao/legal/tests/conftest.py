"""Builders for the legal tests: an effective mediation agreement on a dispute the 光明街道 committee holds, and the
arbitration commission (not in fengqiao/org/data: demo-named)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Party, ServiceType
from fengqiao.mediation.models import (
    Agreement,
    AgreementParty,
    AgreementTerm,
    AttendeeRole,
    Mediation,
    MediationOutcome,
    MediationSource,
)
from fengqiao.org.models import OrgUnit, Region, UnitKind
from fengqiao.org.services import unit_save

ARBITRATION = "光明区劳动人事争议仲裁委员会"


def arbitration_unit() -> OrgUnit:
    district = Region.objects.get(code="440311")
    centre = OrgUnit.objects.get(name="光明区群众诉求服务大厅")
    return unit_save(name=ARBITRATION, kind=UnitKind.ARBITRATION, region=district, parent=centre, source="demo-named")


@pytest.fixture
def arbitration(org) -> OrgUnit:
    return arbitration_unit()


def make_agreement(cast, org, make_case, *, effective_at: datetime | None = None, text: str = "",
                   source: str = MediationSource.DISPATCH, community: str = "440311001001",
                   party_address: str = "深圳市光明区光明街道碧眼新村3栋") -> Agreement:
    case = make_case(community, service_type=ServiceType.MEDIATION, title="邻里漏水赔偿纠纷",
                     description="楼上住户卫生间漏水导致楼下天花板损坏，双方就维修费用发生争议。",
                     parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13912345678",
                                            id_type="resident_id", id_number="440311199001011234"),
                              cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="李建国", phone="13887654321")])
    cs.case_accept(case=case, actor=None)
    cs.case_dispatch(case=case, actor=None, unit=org.mediation)
    now = timezone.now()
    effective_at = effective_at or now - timedelta(days=2)
    mediation = Mediation.objects.create(
        case=case, unit=org.mediation, mediator=cast.mediator, source=source, facts="漏水", matters="维修费用",
        opened_at=effective_at - timedelta(days=10), due_at=effective_at + timedelta(days=20),
        status=Mediation.Status.CONCLUDED, outcome=MediationOutcome.AGREEMENT_WRITTEN, concluded_at=effective_at)
    agreement = Agreement.objects.create(
        mediation=mediation, number=f"光明调字〔2026〕第{mediation.pk:04d}号", status=Agreement.Status.EFFECTIVE,
        facts="楼上住户卫生间防水层老化，漏水导致楼下天花板和墙面损坏。" + text, matters="维修费用及赔偿金额。",
        responsibilities="楼上住户承担主要责任。", mediator_signed_at=effective_at, sealed_at=effective_at,
        effective_at=effective_at, created_by=cast.mediator)
    for role, name, phone in ((AttendeeRole.APPLICANT, "王小梅", "13912345678"),
                              (AttendeeRole.RESPONDENT, "李建国", "13887654321")):
        AgreementParty.objects.create(agreement=agreement, role=role, name=name, id_type="resident_id",
                                      id_number="440311199001011234", address=party_address, phone=phone,
                                      signed_at=effective_at, signed_by="signature")
    AgreementTerm.objects.create(agreement=agreement, seq=1, content="李建国一次性赔偿王小梅维修费用", manner="银行转账",
                                 amount=Decimal("3500"), due_on=(effective_at + timedelta(days=15)).date())
    return agreement


@pytest.fixture
def agreement_maker(cast, org, make_case) -> Callable[..., Agreement]:
    def make(**kwargs) -> Agreement:
        return make_agreement(cast, org, make_case, **kwargs)

    return make


@pytest.fixture
def agreement(agreement_maker) -> Agreement:
    return agreement_maker()
