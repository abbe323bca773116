"""The mediator draws up the agreement (人民调解协议书) on a mediation, records the parties' signatures, their own
signature and the committee's seal, downloads the PDF (rendered and read back here: the parties' names and the
verification code are in it), and a member of the public opens the verification page on a phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Channel, Party, ServiceType
from fengqiao.mediation.models import Agreement, Mediation
from fengqiao.org.models import OrgUnit, Region
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _mediation() -> Mediation:
    """A neighbours' dispute dispatched to the Guangming street committee, in mediation with gm_mediator."""
    from fengqiao.accounts.models import User

    committee = OrgUnit.objects.get(name="光明街道人民调解委员会")
    case = cs.case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.MEDIATION, title="楼上漏水损坏楼下天花板",
        description="楼上卫生间漏水，楼下天花板和衣柜受损，双方就维修费用协商未果。",
        region=Region.objects.get(code="440311001001"),
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13800138000",
                               id_type=Party.IdType.RESIDENT_ID, id_number="440311199001011228"),
                 cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="李建国", phone="13900139000")],
    )
    cs.case_accept(case=case, actor=None)
    cs.case_dispatch(case=case, actor=None, unit=committee)
    now = timezone.now()
    return Mediation.objects.create(case=case, unit=committee, mediator=User.objects.get(username="gm_mediator"),
                                    facts=case.description, matters="维修费用由谁承担、承担多少。", opened_at=now,
                                    due_at=now + timedelta(days=30))


def test_the_mediator_draws_up_signs_seals_downloads_and_the_public_verifies(new_page, demo_site):
    mediation = _mediation()
    page = new_page()
    staff_sign_in(page, demo_site, "gm_mediator")
    page.goto(f"/agreements/new/{mediation.pk}/")
    form = page.locator('[data-testid="agreement-draft"]')
    form.locator('[name="agr-responsibilities"]').fill("楼上住户李建国对漏水负全部责任。")
    form.locator('[name="agrt-0-content"]').fill("李建国赔偿王小梅天花板及衣柜维修费")
    form.locator('[name="agrt-0-manner"]').fill("银行转账")
    form.locator('[name="agrt-0-due_on"]').fill((timezone.localdate() + timedelta(days=7)).isoformat())
    form.locator('[name="agrt-0-amount"]').fill("4200")
    form.locator('[name="agrt-1-content"]').fill("李建国于十日内请专业人员修复卫生间防水层")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator(".msg-error").count() == 0
    number = page.locator('[data-testid="agreement-number"]').inner_text()
    assert number.startswith("光明调字〔") and page.locator('[data-testid="agreement-status"]').get_attribute(
        "data-status") == "draft"
    assert "王**" in page.locator('[data-testid="agreement-parties"]').inner_text()  # masked on screen

    while page.locator('[data-testid="sign-party"]').count():
        with page.expect_navigation():
            page.locator('[data-testid="sign-party"]').first.click()
    with page.expect_navigation():
        page.locator('[data-testid="sign-mediator"]').click()
    assert page.locator('[data-testid="agreement-status"]').get_attribute("data-status") == "signing"
    with page.expect_navigation():
        page.locator('[data-testid="seal"]').click()
    assert page.locator('[data-testid="agreement-status"]').get_attribute("data-status") == "effective"
    assert page.locator('[data-testid="agreement-followups"] li').count() >= 1
    code = page.locator('[data-testid="verification-code"]').inner_text().strip()
    assert Agreement.objects.get(mediation=mediation).verification_code == code

    with page.expect_download() as download:
        page.locator('[data-testid="agreement-pdf"]').click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    document = pdfium.PdfDocument(data)
    first = document[0]
    text = first.get_textpage().get_text_range().replace("\r", "").replace("\n", "")
    assert code in text and "王小梅" in text and "李建国" in text and number in text
    assert f"/agreements/verify/{code}/" in text
    image = first.render(scale=1).to_pil()
    assert image.size[0] > 500 and image.convert("L").getextrema()[0] < 100
    document.close()

    phone = new_page(viewport={"width": 375, "height": 740})
    phone.goto(page.locator('[data-testid="verify-link"]').get_attribute("href"))
    result = phone.locator('[data-testid="verify-result"]')
    assert result.get_attribute("data-status") == "effective"
    assert phone.locator('[data-testid="verify-number"]').inner_text() == number
    body = phone.locator("main").inner_text()
    for private in ("王小梅", "李建国", "13800138000", "4200", "4,200"):
        assert private not in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone

    phone.goto("/agreements/verify/")
    phone.fill('[name="code"]', "WRONGCODE234")
    phone.locator("main form button.primary").click()
    phone.wait_for_selector('[data-testid="verify-not-found"]')
