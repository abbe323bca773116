from __future__ import annotations

import pytest

from fengqiao.commands.models import Rank, StaffRank
from fengqiao.org.models import Role
from fengqiao.org.services import staff_user_create


@pytest.fixture
def people(cast, org):
    """The street centre's head, and the HR bureau's section chief (ranked), beside the cast."""
    head = staff_user_create(username="t_street_head", password="x-Pass-2026", name="街道主任",
                             memberships=[(org.street_centre, Role.LEADER)])
    chief = staff_user_create(username="t_hr_chief", password="x-Pass-2026", name="人社科长",
                              memberships=[(org.hr, Role.LEADER)])
    StaffRank.objects.create(user=chief, rank=Rank.SECTION)
    StaffRank.objects.create(user=cast.handler, rank=Rank.STAFF)
    return type("People", (), {"head": head, "chief": chief})
