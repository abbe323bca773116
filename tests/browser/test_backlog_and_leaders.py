"""Leaders and the backlog in the browser: gm_leader takes a red case from its page and supervises it from their own
page; the district operator starts a campaign from the board's suggestion, writes a plan, batch-dispatches two of its
cases; the board's burn-down ends on the number of cases not closed in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.backlog.models import Campaign
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Category, Channel, Grade, ServiceType
from fengqiao.leadership.models import Ownership
from fengqiao.org.models import OrgUnit, Region
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _old_cases(n: int, category: Category, days: int = 40) -> list[Case]:
    region = Region.objects.get(code="440311001001")
    return [cs.case_submit(channel=Channel.HOTLINE, service_type=ServiceType.COMPLAINT, title=f"小区电梯长期故障 {i}",
                           description="小区电梯反复故障停运，老人上下楼困难，物业迟迟不修。", region=region,
                           category=category, submitted_at=timezone.now() - timedelta(days=days + i))
            for i in range(n)]


def test_a_leader_takes_and_supervises_a_case(new_page, demo_site):
    case = _old_cases(1, Category.objects.get_or_create(code="T-LIFT-L", defaults={"name": "电梯故障（测试）"})[0])[0]
    cs.case_regrade(case=case, actor=_user("gm_district_op"), grade=Grade.RED, reason="老人被困电梯")
    page = new_page()
    staff_sign_in(page, demo_site, "gm_leader")
    page.goto(f"/cases/{case.code}/")
    with page.expect_navigation():
        page.locator("#take-case").click()
    ownership = Ownership.objects.get(case=case)
    assert page.locator("[data-owner]").count() == 1
    page.goto("/leadership/")
    row = page.locator(f"#owned tr[data-case='{case.code}']")
    row.locator(f"[data-action=supervise-{ownership.pk}] summary").click()
    row.locator("textarea").first.fill("请物业三日内修复电梯并报告")
    with page.expect_navigation():
        row.locator(f"[data-action=supervise-{ownership.pk}] button.primary").click()
    assert CaseEvent.objects.filter(case=case, action="supervise", reason="请物业三日内修复电梯并报告").exists()
    assert "请物业三日内修复电梯并报告" in page.locator(f"#owned tr[data-case='{case.code}']").inner_text()


def test_a_campaign_from_a_suggestion_with_a_plan_and_a_batch_dispatch(new_page, demo_site):
    category = Category.objects.create(code="T-LIFT", name="电梯长期故障")
    cases = _old_cases(4, category)
    for case in cases:
        cs.case_accept(case=case, actor=_user("gm_community_op"))
    page = new_page()
    staff_sign_in(page, demo_site, "gm_district_op")
    page.goto("/backlog/")
    suggestion = page.locator("[data-suggestion=category]", has_text="电梯长期故障")
    with page.expect_navigation():
        suggestion.get_by_role("link").click()
    for case in cases:
        assert page.locator(f"input[name=cases][value='{case.code}']").is_checked()
    with page.expect_navigation():
        page.locator("#create-campaign").click()
    campaign = Campaign.objects.get(grouping__label="电梯长期故障")
    assert campaign.entries.count() == 4
    first = campaign.entries.order_by("case__submitted_at").first()
    page.locator(f"[data-plan='{first.pk}'] summary").click()
    page.fill(f"#plan-{first.pk}", "约谈物业公司，一周内完成电梯维修")
    with page.expect_navigation():
        page.locator(f"[data-plan='{first.pk}'] button.primary").click()
    first.refresh_from_db()
    assert first.plan == "约谈物业公司，一周内完成电梯维修"
    housing = OrgUnit.objects.get(name="光明区住房建设局")
    for case in cases[:2]:
        page.locator(f"#campaign-cases input[value='{case.code}']").check()
    page.select_option("#batch-action", "dispatch")
    page.select_option("#batch-unit", str(housing.pk))
    with page.expect_navigation():
        page.locator("#batch-go").click()
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases[:2]]).values_list("holder_unit", flat=True)) == {
        housing.pk}


def test_the_burn_down_ends_on_the_count_in_the_database(new_page, demo_site):
    page = new_page()
    staff_sign_in(page, demo_site, "gm_district_op")
    page.goto("/backlog/")
    page.wait_for_function("() => window.echarts && echarts.getInstanceByDom(document.getElementById('burndown'))")
    drawn = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('burndown')).getOption()"
                          ".series[0].data.slice(-1)[0]")
    user = _user("gm_district_op")
    assert drawn == Case.objects.visible_to(user).filter(closed_at__isnull=True).count()
    assert int(page.locator("#stock-total").inner_text()) == drawn


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
