"""Demo of the separation of duties: the security officer (gm_security), a role the administrator asked for that waits
for them, one they approved and one they refused — all through fengqiao.org.grants, so the auditor's grant record
(/org/grants/audit/) shows each step. Idempotent: a second run finds what the first made and adds nothing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction

from fengqiao.accounts.models import User
from fengqiao.core.demo import DEMO_PASSWORD, DemoLogin, _ensure_totp
from fengqiao.org.grants import membership_approve, membership_refuse, membership_request
from fengqiao.org.models import GrantRequest, OrgUnit, Role
from fengqiao.org.services import staff_user_create

DISTRICT_CENTRE = "光明区群众诉求服务大厅"
SECURITY = ("gm_security", "安全保密管理员 韩雪")
# (username, name, unit, role, why, what the security officer decides: None waits, True approves, False refuses)
NEWCOMERS = [
    ("gm_new_handler", "区人力资源局 新同事 冯波", "光明区人力资源局", Role.HANDLER, "新入职劳动监察科员", None),
    ("gm_new_operator", "光明社区中心 新同事 田甜", "光明社区群众诉求服务中心", Role.OPERATOR, "社区受理员轮岗",
     True),
    ("gm_new_leader", "借调人员 董力", DISTRICT_CENTRE, Role.LEADER, "临时代班", False),
]
REFUSAL = "未提供任职文件，暂不授予领导角色"


@transaction.atomic
def seed_duties(rng: random.Random, now: datetime) -> list[DemoLogin]:
    """The security officer (returned as a login for ./fq demo) and three requests by gm_admin.

    Call after `seed_staff()` (it needs gm_admin): `logins += seed_duties(rng, now)`.
    """
    centre = OrgUnit.objects.get(name=DISTRICT_CENTRE)
    officer = staff_user_create(username=SECURITY[0], password=DEMO_PASSWORD, name=SECURITY[1],
                                memberships=[(centre, Role.SECURITY_OFFICER)], seed="demo")
    admin = User.objects.get(username="gm_admin")
    for username, name, unit_name, role, why, decision in NEWCOMERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD, name=name)
        unit = OrgUnit.objects.get(name=unit_name)
        if GrantRequest.objects.filter(user=user, unit=unit, role=role).exists():
            continue
        asked = now - timedelta(hours=rng.randint(2, 30))
        request = membership_request(actor=admin, user=user, unit=unit, role=role, reason=why, at=asked)
        if decision is True:
            membership_approve(actor=officer, request=request, reason="已核对任职文件",
                               at=asked + timedelta(minutes=rng.randint(10, 90)))
        elif decision is False:
            membership_refuse(actor=officer, request=request, reason=REFUSAL,
                              at=asked + timedelta(minutes=rng.randint(10, 90)))
    return [DemoLogin(SECURITY[0], str(Role.SECURITY_OFFICER.label), centre.name, SECURITY[1], _ensure_totp(officer))]
