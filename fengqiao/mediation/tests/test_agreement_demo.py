"""The agreements demo runs through the services: agreements in effect with follow-ups (one performed, one
overdue), an oral one, and one being signed; the demo resident's case shows its agreement."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from fengqiao.mediation import agreements as svc
from fengqiao.mediation.demo_agreements import seed_agreements
from fengqiao.mediation.models import Agreement, FollowUp

pytestmark = pytest.mark.django_db


def test_the_demo_agreements(cast):
    from fengqiao.core.demo import seed_resident, seed_staff

    seed_staff()
    resident = seed_resident()
    made = seed_agreements(random.Random(7), timezone.now())
    assert made == {"agreements": 4, "effective": 3, "follow_ups_done": 2}
    statuses = sorted(Agreement.objects.values_list("status", flat=True))
    assert statuses == ["effective", "effective", "effective", "signing"]
    assert Agreement.objects.filter(form=Agreement.Form.ORAL, status="effective").count() == 1
    assert FollowUp.objects.filter(performance=FollowUp.Performance.PERFORMED).count() == 2
    from fengqiao.accounts.models import User

    mediator = User.objects.get(username="gm_mediator")
    assert svc.followups_overdue(mediator).count() >= 1
    mine = Agreement.objects.get(mediation__case__applicant_user=resident)
    assert mine.status == "effective" and mine.terms.filter(performed_at__isnull=True).count() == 0
