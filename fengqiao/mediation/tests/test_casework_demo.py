"""The mediation demo (seed_mediations) runs through the services, shows every state the home page lists, and a
second run adds nothing."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from fengqiao.cases.models import Outcome
from fengqiao.mediation import casework as cw
from fengqiao.mediation.demo_work import seed_mediations
from fengqiao.mediation.models import Mediation, Referral, Session

pytestmark = pytest.mark.django_db


def test_seed_mediations(cast):
    from fengqiao.accounts.models import User
    from fengqiao.core.demo import seed_staff

    seed_staff()
    now = timezone.now()
    assert seed_mediations(random.Random(7), now) == 5
    assert seed_mediations(random.Random(7), now) == 0
    mediator = User.objects.get(username="gm_mediator")
    mediations = Mediation.objects.filter(case__source_system="demo-mediation")
    assert mediations.filter(status=Mediation.Status.OPEN).count() == 4
    concluded = mediations.get(status=Mediation.Status.CONCLUDED)
    assert concluded.referral == Referral.ARBITRATION and concluded.case.outcome == Outcome.NOT_RESOLVED
    assert mediations.filter(status=Mediation.Status.OPEN, due_at__lt=now).count() == 1  # one overdue
    assert mediations.filter(extended_with_consent=True, due_at__gt=now).count() == 1
    assert Session.objects.filter(mediation__in=mediations, status=Session.Status.SCHEDULED,
                                  scheduled_at__gt=now).count() == 2
    assert [c.source_id for c in cw.awaiting_mediation(mediator)] == ["demo-med-6"]
