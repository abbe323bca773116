"""The demo petitions: one in review, one replied, one recognised as a repeat of re-reviewed facts; idempotent."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from fengqiao.petitions.demo import seed_petitions
from fengqiao.petitions.models import Petition
from fengqiao.petitions.rules import NotAcceptedGround, State

pytestmark = pytest.mark.django_db


def test_seed_petitions(cast):
    logins = seed_petitions(random.Random(1), timezone.now())
    assert {login.username for login in logins} == {"gm_petition", "gm_petition_head"}
    assert all(login.totp_secret for login in logins)
    states = sorted(Petition.objects.values_list("state", flat=True))
    assert states == sorted([State.REVIEW_REQUESTED, State.REPLIED, State.CLOSED, State.NOT_ACCEPTED])
    repeat = Petition.objects.get(state=State.NOT_ACCEPTED)
    assert repeat.not_accepted_ground == NotAcceptedGround.RE_REVIEWED and repeat.repeat_of.state == State.CLOSED
    in_review = Petition.objects.get(state=State.REVIEW_REQUESTED)
    assert in_review.hearings.count() == 1 and not in_review.clock_paused
    seed_petitions(random.Random(1), timezone.now())
    assert Petition.objects.count() == 4
