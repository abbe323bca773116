"""The demo part of personal information seeds consents and gm_resident's two requests, once."""

from __future__ import annotations

import random

import pytest

from fengqiao.accounts.models import User
from fengqiao.cases.models import Channel
from fengqiao.privacy.demo import seed_privacy
from fengqiao.privacy.models import ConsentRecord, DataRequest

pytestmark = pytest.mark.django_db


def test_seed_privacy_is_lived_in_and_idempotent(make_case, cast, org):
    from fengqiao.org.models import Membership, Role

    resident = User.objects.create_user(username="gm_resident", password="x-Fengqiao-2026", name="王秀兰",
                                        phone="13912340000")
    operator = User.objects.create_user(username="gm_district_op", password="x-Fengqiao-2026", name="区中心")
    Membership.objects.create(user=operator, unit=org.district_centre, role=Role.OPERATOR)
    web = make_case(channel=Channel.WEB, applicant_user=resident)
    first = seed_privacy(random.Random(1))
    assert first["data_requests"] == 2 and ConsentRecord.objects.filter(case=web).count() == 1
    kinds = dict(DataRequest.objects.filter(resident=resident).values_list("kind", "status"))
    assert kinds == {"access": "done", "delete": "received"}
    assert seed_privacy(random.Random(1)) == {"consents": 0, "data_requests": 0}
