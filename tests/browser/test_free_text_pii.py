"""Personal data in free text, in the browser: the case page masks the numbers written in the demand until the
recorded reveal; the workbench search finds a case by phone without the number ever reaching the address bar."""

from __future__ import annotations

import re

import pytest

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Channel, Party, ServiceType
from fengqiao.cases.workflow import Action
from fengqiao.org.models import Region
from tests.browser.test_login_roles import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

HOME_COMMUNITY = "440311001001"
PHONE = "13944448888"


def _case() -> Case:
    return cs.case_submit(
        channel=Channel.WEB, service_type=ServiceType.MEDIATION, title="",
        description="拖欠工资三个月，老板电话１３８００１３８０００，我的身份证440311 19900101 1234。",
        region=Region.objects.get(code=HOME_COMMUNITY),
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="陈先生", phone=PHONE)],
    )


def test_the_case_page_masks_numbers_in_the_demand_until_revealed(new_page, demo_site):
    case = _case()
    page = new_page()
    sign_in(page, demo_site, "gm_community_op")
    page.goto(f"/cases/{case.code}/")
    description = page.locator(".description").inner_text()
    assert "138****8000" in description and "4403**********1234" in description
    assert "１３８００１３８０００" not in page.content()
    page.fill("#reveal-reason", "回电核实")
    page.locator("form.reveal button[type=submit]").click()
    page.wait_for_selector("p.notice[role=status]")
    assert "１３８００１３８０００" in page.locator(".description").inner_text()
    assert CaseEvent.objects.filter(case=case, action=Action.PII_REVEAL, reason="回电核实").exists()


def test_searching_by_phone_keeps_it_out_of_the_address_bar(new_page, demo_site):
    case = _case()
    page = new_page()
    sign_in(page, demo_site, "gm_community_op")
    page.goto("/cases/")
    page.locator("details.filters summary").click()
    page.fill("#id_q", PHONE)
    page.locator("form.filter-grid button[type=submit]").click()
    page.wait_for_url(re.compile(r".*[?&]qt="))
    page.locator(f'tr[data-code="{case.code}"]').wait_for()
    assert PHONE not in page.url and PHONE[:7] not in page.url
    assert page.locator("tr[data-code]").count() == 1
    page.reload()  # the address works again within the session (the text stays on the server)
    assert page.locator(f'tr[data-code="{case.code}"]').count() == 1 and page.locator("#id_q").input_value() == PHONE
