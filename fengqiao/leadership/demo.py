"""Demo: gm_leader owns the district's two oldest open major cases and one old case (包案), has supervised one, and has
sink-down duty at the district hall — one shift held last week (recorded), one next week. Seeded once."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from fengqiao.cases.models import Case, Grade
from fengqiao.cases.workflow import OPEN_STATES
from fengqiao.leadership import services as svc
from fengqiao.leadership.models import DutyShift, Ownership
from fengqiao.org.models import ServicePoint


@transaction.atomic
def seed_leadership(rng: random.Random, now: datetime) -> int:
    from fengqiao.accounts.models import User

    leader = User.objects.filter(username="gm_leader").first()
    if leader is None or Ownership.objects.filter(leader=leader).exists():
        return 0
    open_cases = Case.objects.filter(region__path__contains="/440311/", status__in=OPEN_STATES).exclude(
        status="submitted")
    major = list(open_cases.filter(grade__in=[Grade.RED, Grade.YELLOW]).order_by("submitted_at")[:2])
    old = list(open_cases.filter(grade=Grade.GREEN, submitted_at__lte=now - timedelta(days=31))
               .order_by("submitted_at")[:1])
    made = 0
    for i, case in enumerate(major + old):
        ownership = svc.ownership_take(case=case, leader=leader, reason="区领导包案，一包到底。",
                                       at=now - timedelta(days=6 - i))
        made += 1
        if i == 0:
            svc.ownership_supervise(ownership=ownership, actor=leader, reason="请承办单位三个工作日内报送化解方案。",
                                    at=now - timedelta(days=5))
    point = ServicePoint.objects.filter(region__code="440311", level="district_hall").first() or \
        ServicePoint.objects.filter(region__path__contains="/440311/").first()
    if point is not None:
        local = timezone.localtime(now)
        last_week = local.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=7)
        held = svc.duty_schedule(leader=leader, service_point=point, starts_at=last_week,
                                 ends_at=last_week + timedelta(hours=3), actor=leader, at=last_week - timedelta(days=3))
        received = list(Case.objects.filter(region__path__contains="/440311/", submitted_at__gte=last_week,
                                            submitted_at__lt=last_week + timedelta(hours=3)).values_list("code",
                                                                                                       flat=True)[:3])
        svc.duty_record(shift=held, actor=leader, held=True, visitors=rng.randint(4, 9), case_codes=received,
                        note="接待来访群众，现场交办。", at=last_week + timedelta(hours=3))
        next_week = local.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=7)
        if not DutyShift.objects.filter(leader=leader, starts_at=next_week).exists():
            svc.duty_schedule(leader=leader, service_point=point, starts_at=next_week,
                              ends_at=next_week + timedelta(hours=3), actor=leader, at=now)
    return made
