"""An automated accessibility check (axe-core) over the pages residents and staff use, in both languages.

axe-core is vendored from its npm package into fengqiao/static/vendor/axe/ (see the README there) and
served to the test browser by the live server; no page links it. Serious and critical violations fail
the test, listed with the elements they concern; moderate and minor ones are left to people.
"""

from __future__ import annotations

import re

import pytest

from fengqiao.core.demo import DEMO_PASSWORD
from tests.browser.conftest import fresh_token, staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE_URL = "/static/vendor/axe/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
LANGS = ["zh-hans", "en"]

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in FAILING_IMPACTS]


def readable(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:8]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    • {node['target']} — {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


class Findings:
    """Collects the violations of every page of a journey, so one run lists them all."""

    def __init__(self, lang: str):
        self.lang = lang
        self.pages: list[tuple[str, str, list[dict]]] = []

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        self.pages.append((name, page.url, serious_violations(page)))

    def assert_none(self) -> None:
        assert self.pages, "no page was checked"
        bad = [(name, url, v) for name, url, v in self.pages if v]
        report = "\n\n".join(f"{name} ({self.lang}, {url}):\n{readable(v)}" for name, url, v in bad)
        assert not bad, f"serious or critical accessibility violations:\n\n{report}"


def open_page(new_page, demo_site: str, lang: str, **options):
    page = new_page(**options)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": demo_site}])
    return page


def test_axe_is_served_locally(new_page, demo_site):
    page = new_page()
    response = page.goto(AXE_URL)
    assert response.status == 200
    assert "axe v4" in response.text()[:200]


@pytest.mark.parametrize("lang", LANGS)
def test_resident_pages_have_no_serious_accessibility_violations(new_page, demo_site, lang):
    findings = Findings(lang)
    page = open_page(new_page, demo_site, lang, **PHONE)
    page.goto("/report/")
    assert page.locator("html").get_attribute("lang") == lang
    findings.check(page, "resident portal /report/")

    page.locator('input[name="service_type"][value="complaint"]').check()
    page.fill("#id_description", "碧眼新村3栋门口的路灯坏了两个星期，晚上很黑，老人容易摔倒。")
    page.select_option("#id_community", "440311001001")
    page.fill("#id_address", "碧眼新村3栋门口")
    page.fill("#id_name", "王小梅")
    page.fill("#id_phone", "13922227777")
    page.check("#id_consent")
    page.locator("#submit-report").click()
    page.wait_for_url("**/report/done/**")
    code = page.get_by_test_id("case-code").inner_text().strip()
    assert re.fullmatch(r"GM-\d{4}-\d{6}", code)
    findings.check(page, "after submitting /report/done/")

    page.get_by_test_id("track-link").click()
    page.wait_for_url(f"**/track/{code}/")
    findings.check(page, "tracking page of the case")

    other = open_page(new_page, demo_site, lang, **PHONE)
    other.goto("/track/")
    findings.check(other, "tracking form /track/")
    other.fill("#id_code", code)
    other.fill("#id_digits", "0000")
    other.locator("main form button.primary").click()
    other.locator("#form-errors").wait_for()
    findings.check(other, "tracking form with an error")

    other.goto("/no-such-page/")
    findings.check(other, "not found page")
    findings.assert_none()


@pytest.mark.parametrize("lang", LANGS)
def test_staff_pages_have_no_serious_accessibility_violations(new_page, demo_site, lang):
    from fengqiao.accounts.models import User
    from fengqiao.cases.models import Case
    from fengqiao.cases.workflow import Status

    findings = Findings(lang)
    page = open_page(new_page, demo_site, lang)
    page.goto("/accounts/login/")
    findings.check(page, "sign-in")
    page.fill("#id_username", "gm_district_op")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button.primary").click()
    page.wait_for_url("**/accounts/2fa/**")
    findings.check(page, "second factor")
    page.fill("#id_token", fresh_token("gm_district_op"))
    page.locator("main form button.primary").click()
    page.wait_for_url(f"{demo_site}/")
    findings.check(page, "staff home")

    page.goto("/cases/")
    assert page.locator(".case-row, tr").count() > 1
    findings.check(page, "case queue /cases/")

    # a case waiting for review (the triage panel) as the operator; a case in hand as the department
    operator = User.objects.get(username="gm_district_op")
    waiting = Case.objects.visible_to(operator).filter(status=Status.SUBMITTED).order_by("-submitted_at").first()
    assert waiting is not None
    check_case_page(findings, page, waiting.code, "operator")

    handler_page = open_page(new_page, demo_site, lang)
    staff_sign_in(handler_page, demo_site, "gm_handler_hr")
    in_hand = put_in_hand_of_hr(exclude=waiting.pk)
    check_case_page(findings, handler_page, in_hand.code, "department")
    findings.assert_none()


def put_in_hand_of_hr(*, exclude: int):
    """A waiting case accepted, dispatched to the HR bureau, signed and started (its page has the most forms)."""
    from fengqiao.accounts.models import User
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Case
    from fengqiao.cases.workflow import Status
    from fengqiao.org.models import OrgUnit

    operator = User.objects.get(username="gm_district_op")
    handler = User.objects.get(username="gm_handler_hr")
    case = Case.objects.visible_to(operator).filter(status=Status.SUBMITTED).exclude(pk=exclude).first()
    assert case is not None
    cs.case_accept(case=case, actor=operator)
    cs.case_dispatch(case=case, actor=operator, unit=OrgUnit.objects.get(name="光明区人力资源局"))
    cs.case_sign(case=case, actor=handler)
    cs.case_start(case=case, actor=handler)
    return case


def check_case_page(findings: Findings, page, code: str, who: str) -> None:
    page.goto(f"/cases/{code}/")
    findings.check(page, f"case page {code} ({who})")
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    findings.check(page, f"case page {code} ({who}) with every action form open")
