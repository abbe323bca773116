"""The legal demo builds every stage through the services, once."""

from __future__ import annotations

import random

import pytest

from fengqiao.legal.models import ConfirmationApplication, Linkage, Referral

pytestmark = pytest.mark.django_db


def test_seed_legal_makes_every_stage_once(cast):
    from fengqiao.core.demo import seed_staff
    from fengqiao.legal.demo import seed_legal

    seed_staff()
    made = seed_legal(random.Random(1))
    assert made == {"applications": 4, "referrals": 1, "linkages": 2}
    statuses = set(ConfirmationApplication.objects.values_list("status", flat=True))
    assert statuses == {"filed", "accepted", "confirmed", "refused"}
    assert Referral.objects.filter(kind="arbitration", status="received").exists()
    assert Linkage.objects.filter(pre_litigation=True, status="sent").exists()
    assert seed_legal(random.Random(1)) == {"applications": 0, "referrals": 0, "linkages": 0}
