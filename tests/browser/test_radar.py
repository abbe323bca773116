"""The early-warning radar in the browser: a burst of near-identical water-cut complaints injected in one community
(through case_submit, like any submission) and one radar pass raise exactly one warning; the district leader
(gm_leader) finds it on the radar, acknowledges it, records what was done and closes it with a result."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Category, Channel, Party, ServiceType
from fengqiao.org.models import Region
from fengqiao.warnings.models import Warning
from fengqiao.warnings.services import radar_run
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

TEXTS = [
    "白花社区锦绣花园小区已经停水两天了，物业说是管道爆裂，一直没人来修，老人孩子没水用，请尽快处理。",
    "锦绣花园小区停水第二天，物业电话打不通，没有任何通知，生活非常不便，请水务部门尽快恢复供水。",
    "白花社区锦绣花园连续停水两天，做饭洗澡都成问题，物业只说在修，请相关部门督促尽快恢复供水。",
    "锦绣花园小区突然停水两天了，物业没有任何说明，请求水务公司和社区尽快处理恢复供水。",
    "白花社区锦绣花园停水两天，家里有卧床老人，急需用水，物业一直推脱，请政府帮忙协调。",
    "锦绣花园小区已停水两天，听说是小区主管道爆裂，物业迟迟不修，请尽快派人抢修。",
    "白花社区锦绣花园小区停水两天了还没恢复，楼上楼下都没水，请水务部门尽快解决。",
]


def _burst() -> list:
    rng = random.Random(7)
    region = Region.objects.get(code="440311001004")  # 光明街道 白花社区
    category = Category.objects.get(parent__name="城乡建设", name="城市建设和市政管理")
    now = timezone.now()
    return [
        cs.case_submit(
            channel=Channel.HOTLINE,
            service_type=ServiceType.COMPLAINT,
            title="",
            description=text,
            region=region,
            category=category,
            submitted_at=now - timedelta(minutes=25 * i),
            parties=[
                cs.PartyInput(
                    role=Party.PartyRole.APPLICANT, name="业主", phone=f"139{rng.randint(10_000_000, 99_999_999)}"
                )
            ],
        )
        for i, text in enumerate(TEXTS)
    ]


def test_an_injected_burst_raises_one_warning_that_a_leader_acknowledges_and_closes(new_page, demo_site):
    district = Region.objects.get(code="440311")
    before = set(Warning.objects.values_list("pk", flat=True))
    cases = _burst()
    result = radar_run(district, timezone.now() + timedelta(minutes=1))
    assert len(result.raised) == 1, result
    assert set(Warning.objects.values_list("pk", flat=True)) - before == set(result.raised)
    warning = Warning.objects.get(pk=result.raised[0])
    assert warning.place.code == "440311001004" and set(warning.cases.values_list("pk", flat=True)) >= {
        c.pk for c in cases
    }
    assert radar_run(district, timezone.now() + timedelta(minutes=2)).raised == []  # a second pass: no duplicate

    page = new_page()
    staff_sign_in(page, demo_site, "gm_leader")
    page.goto("/warnings/")
    row = page.locator(f"[data-warning='{warning.pk}']")
    assert row.count() == 1
    with page.expect_navigation():
        row.locator("a.warning-title").click()
    assert page.locator("#evidence tbody tr").count() == warning.evidence.count() >= len(cases)
    assert page.locator("#series-chart svg").count() == 1  # the chart drew (ECharts, served locally)
    with page.expect_navigation():
        page.locator("#acknowledge").click()
    assert page.locator("#warning-state").get_attribute("data-state") == "acknowledged"
    page.fill("#id_action", "已通知水务公司连夜抢修主管道，社区安排送水车到小区")
    with page.expect_navigation():
        page.locator("#record-action").click()
    assert page.locator("#warning-state").get_attribute("data-state") == "acting"
    page.select_option("#id_outcome", "resolved")
    page.fill("#id_result", "主管道已修复，当晚恢复供水，回访居民满意")
    with page.expect_navigation():
        page.locator("#close-warning").click()
    assert page.locator("#warning-state").get_attribute("data-state") == "closed"
    assert "主管道已修复" in page.locator("#warning-outcome").inner_text()
    warning.refresh_from_db()
    assert (warning.state, warning.outcome, warning.closed_by.username) == ("closed", "resolved", "gm_leader")
    assert list(warning.events.order_by("id").values_list("action", flat=True)) == [
        "raised",
        "acknowledged",
        "action",
        "closed",
    ]
    assert page.locator("#events li").count() == 4
