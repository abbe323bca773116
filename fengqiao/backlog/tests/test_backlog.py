"""The backlog board's counts, suggested campaigns, campaigns with a plan per case and all-or-nothing batch actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.backlog import rules
from fengqiao.backlog import selectors as sel
from fengqiao.backlog import services as svc
from fengqiao.backlog.models import Campaign
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category
from fengqiao.cases.workflow import Status

pytestmark = pytest.mark.django_db


def test_bands_cover_every_age_once():
    for age in range(0, 400):
        matching = [b for b in rules.AGE_BANDS if age >= b.low and (b.high is None or age <= b.high)]
        assert len(matching) == 1 and rules.band_of(age) == matching[0]


@pytest.fixture
def history(make_case, cast):
    """Eight cases at ages 2, 10, 40 (×3), 100, 200 days; the 10-day one rejected 3 days ago."""
    now = timezone.now()
    ages = [2, 10, 40, 40, 40, 100, 200, 1]
    wage = Category.objects.create(code="T-WAGE", name="欠薪")
    cases = [make_case(submitted_at=now - timedelta(days=a), **({"category": wage} if a == 40 else {}))
             for a in ages]
    cs.case_reject(case=cases[1], actor=cast.op_community, reason="不属于受理范围", at=now - timedelta(days=3))
    return cases, now


def test_the_board_counts_by_unit_and_band_and_matches_the_database(history, cast):
    cases, now = history
    visible = Case.objects.visible_to(cast.op_district)
    rows = sel.by_unit_and_age(visible, now)
    assert sum(r["total"] for r in rows) == visible.filter(closed_at__isnull=True).count() == 7
    total = {b.key: sum(r[b.key] for r in rows) for b in rules.AGE_BANDS}
    assert total == {"week": 2, "month": 0, "quarter": 3, "half": 1, "older": 1}
    series = sel.burndown(visible, now)
    assert len(series) == rules.BURNDOWN_DAYS
    assert series[-1][1] == visible.filter(closed_at__isnull=True).count()  # today's point: the stock now
    four_days_ago = dict(series)[(timezone.localdate(now) - timedelta(days=4)).isoformat()]
    assert four_days_ago == 6  # the rejected case was still open; the two newest had not come in
    flow = sel.flow_today(visible, now)
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    assert flow["inflow"] == sum(1 for c in cases if c.submitted_at >= midnight)
    assert flow["outflow"] == 0  # the rejection was three days ago


def test_suggestions_group_old_similar_cases(history, cast):
    cases, now = history
    found = sel.suggestions(Case.objects.visible_to(cast.op_district), now)
    wage = next(s for s in found if s["by"] == "category")
    assert wage["label"] == "欠薪" and wage["count"] == 3
    grouped = sel.grouped(Case.objects.visible_to(cast.op_district), now, "category", wage["key"])
    assert {c.pk for c in grouped} == {c.pk for c in cases[2:5]}
    assert not sel.grouped(Case.objects.visible_to(cast.op_district), now, "category", "drop table").exists()


def test_a_campaign_from_a_group_with_plans_and_an_all_or_nothing_batch(history, cast, org):
    cases, _now = history
    group = cases[2:5]
    campaign = svc.campaign_create(actor=cast.op_district, name="欠薪专项清零", cases=group, due_on=None)
    assert campaign.district.code == "440311" and campaign.entries.count() == 3
    entry = campaign.entries.first()
    with pytest.raises(ValidationError):
        svc.plan_set(entry=entry, actor=cast.op_district, plan=" ")
    svc.plan_set(entry=entry, actor=cast.op_district, plan="约谈企业负责人，七日内制定还款计划")
    # two accepted cases and one still submitted: dispatch refuses the submitted one, so nothing changes
    for case in group[:2]:
        cs.case_accept(case=case, actor=cast.op_community)
    codes = [c.code for c in group]
    with pytest.raises(ValidationError, match=group[2].code):
        svc.batch_dispatch(campaign=campaign, actor=cast.op_district, codes=codes, unit=org.hr)
    assert set(Case.objects.filter(pk__in=[c.pk for c in group]).values_list("status", flat=True)) == {
        Status.ACCEPTED, Status.SUBMITTED}
    assert svc.batch_dispatch(campaign=campaign, actor=cast.op_district, codes=codes[:2], unit=org.hr) == 2
    assert set(Case.objects.filter(code__in=codes[:2]).values_list("holder_unit", flat=True)) == {org.hr.pk}


def test_campaign_refusals(history, cast, make_case):
    cases, _now = history
    from fengqiao.org.models import Region

    luohu_community = Region.objects.filter(path__contains="/440303/", level="community").first()
    luohu_case = make_case(luohu_community.code)
    with pytest.raises(ValidationError, match=r"district|个区"):
        svc.campaign_create(actor=cast.op_district, name="混合", cases=[cases[0], luohu_case])  # luohu not visible too
    with pytest.raises(ValidationError):
        svc.campaign_create(actor=cast.op_district, name=" ", cases=[cases[0]])
    with pytest.raises(ValidationError):  # a closed case
        svc.campaign_create(actor=cast.op_district, name="已关闭", cases=[cases[1]])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.campaign_create(actor=cast.handler, name="部门", cases=[cases[0]])
    assert not Campaign.objects.exists()


def test_the_board_page_and_a_campaign_from_a_suggestion(history, cast, client_for):
    cases, now = history
    client = client_for(cast.op_district)
    page = client.get("/backlog/")
    assert page.status_code == 200 and b'id="burndown-data"' in page.content
    assert b'data-suggestion="category"' in page.content
    wage = next(s for s in sel.suggestions(Case.objects.visible_to(cast.op_district), now) if s["by"] == "category")
    form = client.get(f"/backlog/campaigns/new/?by=category&key={wage['key']}")
    assert all(c.code.encode() in form.content for c in cases[2:5])
    response = client.post(f"/backlog/campaigns/new/?by=category&key={wage['key']}",
                           {"name": "欠薪专项清零", "cases": [c.code for c in cases[2:5]]})
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/backlog/campaigns/{campaign.pk}/"
    assert client.get(response["Location"]).status_code == 200
    assert client_for(cast.handler).get("/backlog/").status_code == 404
    assert client_for(cast.luohu_op).get(f"/backlog/campaigns/{campaign.pk}/").status_code == 404
