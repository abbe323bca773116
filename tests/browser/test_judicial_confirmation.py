"""Judicial confirmation in the browser: the mediator files the application from an effective agreement in two
clicks from the legal desk; gm_court (光明区法院) sees it in the court inbox with its clocks, accepts it and records
the confirming ruling; the resident's tracking line is there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fengqiao.legal.demo import Dispute, _effective_agreement
from fengqiao.legal.models import ConfirmationApplication
from fengqiao.org.models import OrgUnit
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

DISPUTE = Dispute("browser-jc", "阳台雨棚坠物损坏车辆赔偿纠纷", "楼上阳台雨棚被风吹落，砸坏停在楼下的小汽车，车主要求赔偿修车费。",
                  ("叶秀芬", "13926670031", "440311198803150028"), ("冯国栋", "13713390452", "440311197705226611"),
                  "冯国栋家阳台雨棚固定不牢，台风期间坠落砸坏叶秀芬停放的小汽车前挡风玻璃和引擎盖。",
                  "修车费用的赔偿。", "冯国栋负全部责任。",
                  (("冯国栋赔偿叶秀芬修车费人民币6300元", "银行转账", "6300", 10),), 1, "ready")


def test_mediator_files_and_the_court_confirms_within_the_clocks(new_page, demo_site):
    mediator_user = get_user_model().objects.get(username="gm_mediator")
    agreement = _effective_agreement(DISPUTE, mediator=mediator_user,
                                     committee=OrgUnit.objects.get(name="光明街道人民调解委员会"), now=timezone.now())

    mediator = new_page()
    staff_sign_in(mediator, demo_site, "gm_mediator")
    mediator.goto("/legal/")
    clicks = 0
    with mediator.expect_navigation():
        mediator.locator(f"#apply-{agreement.pk}").click()
        clicks += 1
    assert mediator.locator("#court-h ~ .legal-court").inner_text().strip() == "光明区法院"
    assert mediator.get_by_text("调解组织（光明街道人民调解委员会）所在地在其辖区").count() == 1
    assert "叶秀芬" not in mediator.content()  # masked on screen
    with mediator.expect_navigation():
        mediator.locator("#file-application").click()
        clicks += 1
    assert clicks == 2
    app = ConfirmationApplication.objects.get(agreement=agreement)
    assert mediator.url.endswith(f"/legal/applications/{app.pk}/")
    assert mediator.locator("#app-status").inner_text() == "已提交，待法院受理"

    court = new_page()
    staff_sign_in(court, demo_site, "gm_court")
    court.goto("/legal/court/")
    row = court.locator("#court-waiting tr", has_text=agreement.number)
    assert row.count() == 1
    assert "法院3日内决定是否受理" in row.inner_text()
    assert row.locator(".due").count() >= 1  # the clock is shown with its time left
    with court.expect_navigation():
        row.get_by_role("link", name=agreement.number).click()
    court.fill("#id_accept-court_case_number", "(2026)粤0311民特901号")
    with court.expect_navigation():
        court.locator("#submit-accept").click()
    assert court.locator("#app-status").inner_text() == "法院已受理"
    assert court.get_by_text("法院受理后15日内作出决定").count() == 1
    court.check("#id_rule-decision_0")
    court.fill("#id_rule-ruling_number", "(2026)粤0311民特901号")
    with court.expect_navigation():
        court.locator("#submit-rule").click()
    assert court.locator("#app-status").inner_text() == "已确认（具有强制执行力）"
    assert "(2026)粤0311民特901号" in court.locator("#ruling").inner_text()
    app.refresh_from_db()
    assert app.status == ConfirmationApplication.Status.CONFIRMED
    assert app.accepted_at <= app.accept_due_at and app.ruled_at <= app.decide_due_at
