"""Demo commands (发令报到) on Guangming street's open cases, in every state, through the services:

- one drawn up by the street centre's operator, waiting for the head's signature;
- one urgent, live: the HR bureau checked in on site with its section chief, housing has 18 minutes left;
- one urgent whose clock ran out: HR came late with a staff member only (late, below the rank, too few),
  housing never came (missing);
- one fulfilled yesterday, and one escalated to the district centre, whose command waits for gm_leader.

Adds the street centre's head (gm_street_head) and the HR bureau's section chief (gm_hr_chief), with ranks.
Needs `core.demo.seed_staff` and the demo cases first. Seeded once: a second run finds its commands and stops.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction

from fengqiao.cases.geo import case_position
from fengqiao.cases.models import Case
from fengqiao.cases.workflow import TERMINAL_STATES
from fengqiao.commands import services as svc
from fengqiao.commands.models import Command, Level, Rank, StaffRank
from fengqiao.org.models import OrgUnit, Role

STREET_CENTRE = "光明街道群众诉求服务大厅"
STREET = "440311001"  # 光明街道
HR, HOUSING = "光明区人力资源局", "光明区住房建设局"

PEOPLE = [  # username, name, role, unit, rank
    ("gm_street_head", "光明街道中心主任 林峰", Role.LEADER, STREET_CENTRE, Rank.DIVISION),
    ("gm_hr_chief", "区人力资源局劳动监察科科长 梁志军", Role.LEADER, HR, Rank.SECTION),
]
RANKS = {"gm_handler_hr": Rank.STAFF, "gm_handler_housing": Rank.DEPUTY_SECTION, "gm_leader": Rank.BUREAU}


def seed_command_staff():
    from fengqiao.accounts.models import User
    from fengqiao.core.demo import DEMO_PASSWORD, DemoLogin, _ensure_totp
    from fengqiao.org.services import staff_user_create

    logins = []
    for username, name, role, unit_name, rank in PEOPLE:
        unit = OrgUnit.objects.get(name=unit_name)
        user = staff_user_create(username=username, password=DEMO_PASSWORD, name=name, memberships=[(unit, role)])
        StaffRank.objects.update_or_create(user=user, defaults={"rank": rank})
        logins.append(DemoLogin(username, str(Role(role).label), unit.name, name, _ensure_totp(user)))
    for username, rank in RANKS.items():
        user = User.objects.filter(username=username).first()
        if user is not None:
            StaffRank.objects.update_or_create(user=user, defaults={"rank": rank})
    return logins


def _near(case: Case, rng: random.Random) -> tuple[float | None, float | None]:
    place = case_position(case)
    if place is None:
        return None, None
    return place.latitude + rng.uniform(-0.0008, 0.0008), place.longitude + rng.uniform(-0.0008, 0.0008)


@transaction.atomic
def seed_commands(rng: random.Random, now: datetime) -> list:
    from fengqiao.accounts.models import User

    logins = seed_command_staff()
    if Command.objects.filter(issuer_unit__name=STREET_CENTRE).exists():
        return logins
    users = {u.username: u for u in User.objects.filter(username__in=[
        "gm_street_op", "gm_street_head", "gm_hr_chief", "gm_handler_hr", "gm_handler_housing", "gm_leader"])}
    street = OrgUnit.objects.get(name=STREET_CENTRE)
    hr, housing = OrgUnit.objects.get(name=HR), OrgUnit.objects.get(name=HOUSING)
    cases = list(Case.objects.filter(region__path__contains=f"/{STREET}/", mediations__isnull=True)
                 .exclude(status__in=TERMINAL_STATES)
                 .exclude(status="submitted").order_by("submitted_at")[:5])
    if len(cases) < 5:
        return logins
    op, head = users["gm_street_op"], users["gm_street_head"]

    def issue(case, level, text, at, sign=True):
        command = svc.command_issue(case=case, actor=op, issuer_unit=street, level=level, units=[hr, housing],
                                    instructions=text, at=at)
        return svc.command_sign(command=command, actor=head, at=at + timedelta(minutes=3)) if sign else command

    # 1. waiting for the head's signature
    issue(cases[0], Level.MAJOR, "请区人力资源局、区住房建设局2小时内派员到场，核实工地欠薪人数和金额。",
          now - timedelta(minutes=10), sign=False)
    # 2. urgent and live: HR on site with its chief, housing still to come
    live = issue(cases[1], Level.URGENT, "工人聚集讨薪，情绪激动，请两部门30分钟内到场处置，科级以上领导带队。",
                 now - timedelta(minutes=15))
    lat, lng = _near(cases[1], rng)
    svc.command_checkin(target=live.targets.get(unit=hr), actor=users["gm_hr_chief"], on_site=True,
                        people=[users["gm_hr_chief"], users["gm_handler_hr"]], latitude=lat, longitude=lng,
                        note="已到现场，正在与项目负责人核对工资表。", at=now - timedelta(minutes=6))
    svc.command_post(command=live, actor=users["gm_handler_hr"], text="项目部已提供考勤记录，正在逐人核对。",
                     at=now - timedelta(minutes=2))
    # 3. urgent, clock run out: HR late with a staff member only, housing missing
    late = issue(cases[2], Level.URGENT, "小区外墙脱落砸坏车辆，业主聚集，请两部门30分钟内到场。",
                 now - timedelta(hours=3))
    lat, lng = _near(cases[2], rng)
    svc.sweep_commands(now=now - timedelta(hours=3) + timedelta(minutes=40))
    svc.command_checkin(target=late.targets.get(unit=hr), actor=users["gm_handler_hr"], on_site=True,
                        people=[users["gm_handler_hr"]], latitude=lat, longitude=lng,
                        at=now - timedelta(hours=3) + timedelta(minutes=52))
    # 4. fulfilled yesterday
    done = issue(cases[3], Level.MAJOR, "请两部门2小时内到场，协调租赁押金退还纠纷。", now - timedelta(days=1, hours=4))
    lat, lng = _near(cases[3], rng)
    svc.command_checkin(target=done.targets.get(unit=hr), actor=users["gm_hr_chief"], on_site=True,
                        people=[users["gm_hr_chief"], users["gm_handler_hr"]], latitude=lat, longitude=lng,
                        at=now - timedelta(days=1, hours=3))
    svc.command_checkin(target=done.targets.get(unit=housing), actor=users["gm_handler_housing"], on_site=False,
                        people=[users["gm_handler_housing"]], note="电话联系房东，已说明押金退还规定。",
                        at=now - timedelta(days=1, hours=3))
    svc.command_post(command=done, actor=users["gm_handler_housing"], text="已约谈房东，押金将于三日内退还。",
                     at=now - timedelta(days=1, hours=2))
    svc.command_confirm(command=done, actor=op, at=now - timedelta(days=1, hours=1))
    # 5. general, nobody came: escalated to the district centre, whose command waits for gm_leader
    slow = issue(cases[4], Level.GENERAL, "请两部门一个工作日内联系当事人并反馈处理意见。", now - timedelta(days=8))
    svc.sweep_commands(now=slow.due_at + timedelta(minutes=1))
    svc.command_escalate(command=slow, actor=op, reason_text="两部门逾期未报到，提请区中心发令。",
                         at=slow.due_at + timedelta(hours=2))
    svc.sweep_commands(now=now)
    return logins
