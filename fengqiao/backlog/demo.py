"""Demo: a special campaign started from the board's first suggestion, with plans for two of its cases. Seeded once."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction

from fengqiao.backlog import selectors as sel
from fengqiao.backlog import services as svc
from fengqiao.backlog.models import Campaign
from fengqiao.cases.models import Case

PLANS = ["约谈责任单位负责人，七日内提出整改方案并回复诉求人。", "联合住建、街道现场核查，两周内完成整改并回访。"]


@transaction.atomic
def seed_backlog(rng: random.Random, now: datetime) -> int:
    from fengqiao.accounts.models import User

    operator = User.objects.filter(username="gm_district_op").first()
    if operator is None or Campaign.objects.exists():
        return 0
    visible = Case.objects.visible_to(operator)
    found = sel.suggestions(visible, now)
    if not found:
        return 0
    first = found[0]
    cases = list(sel.grouped(visible, now, first["by"], first["key"]).select_related("region")[:12])
    campaign = svc.campaign_create(actor=operator, name=f"{first['label']}专项清零行动", cases=cases,
                                   goal="一案一策，月底前全部办结。", due_on=(now + timedelta(days=24)).date(),
                                   grouping={"by": first["by"], "key": first["key"], "label": first["label"]},
                                   at=now - timedelta(days=2))
    for entry, plan in zip(campaign.entries.all()[:2], PLANS, strict=False):
        svc.plan_set(entry=entry, actor=operator, plan=plan, plan_owner=operator,
                     due_on=(now + timedelta(days=rng.randint(5, 14))).date())
    return campaign.entries.count()
