"""The psychological service's cast: a psychologist of 光明街道人民调解委员会, a handler of that committee, and a
psychological-service case about family distress dispatched to the committee (so it holds the case)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.org.models import Role


def _staff(username: str, unit, role: str) -> User:
    from fengqiao.org.services import staff_user_create

    return staff_user_create(username=username, password="Cast-pass-2026", name=username, memberships=[(unit, role)])


@pytest.fixture
def psychologist(org) -> User:
    from fengqiao.mediation.models import MediatorKind, Specialty
    from fengqiao.mediation.services import mediator_register

    user = _staff("t_psychologist", org.mediation, Role.MEDIATOR)
    mediator_register(user=user, unit=org.mediation, kind=MediatorKind.PSYCHOLOGIST,
                      specialties=[Specialty.PSYCHOLOGY, Specialty.FAMILY])
    return user


@pytest.fixture
def committee_handler(org) -> User:
    """A handler of the unit that holds the case."""
    return _staff("t_committee_handler", org.mediation, Role.HANDLER)


@pytest.fixture
def psy_case(make_case, cast, org):
    from fengqiao.cases.models import ServiceType
    from fengqiao.cases.services import case_accept, case_dispatch

    case = make_case(service_type=ServiceType.PSYCHOLOGICAL, title="家庭矛盾导致情绪困扰",
                     description="女儿高考失利后与父母争吵不断，母亲连续失眠，情绪低落，希望得到心理疏导。",
                     consent_sensitive=True)
    case_accept(case=case, actor=cast.op_community)
    case_dispatch(case=case, actor=cast.op_community, unit=org.mediation)
    return case


@pytest.fixture
def engagement(psy_case, psychologist):
    """An open engagement with consent recorded and one session record."""
    from fengqiao.counselling import services as svc
    from fengqiao.counselling.models import ConsentMethod, SessionMode

    engagement = svc.engagement_open(case=psy_case, counsellor=psychologist, actor=psychologist)
    svc.engagement_consent_record(engagement=engagement, actor=psychologist, consent_by="王秀兰（本人）",
                                  consent_at=timezone.now() - timedelta(minutes=5), method=ConsentMethod.WRITTEN)
    svc.record_add(engagement=engagement, actor=psychologist, held_on=timezone.localdate(), mode=SessionMode.IN_PERSON,
                   duration_minutes=50, notes="来访者自述长期失眠，与女儿沟通困难。SECRET-NOTE-42",
                   assessment="中度焦虑情绪", plan="每周一次面谈，布置睡眠日记")
    engagement.refresh_from_db()
    return engagement
