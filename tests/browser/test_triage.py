"""An operator triages a new red case in the browser: the reasons for the grade and the suggested unit with its
rule are on the page before anything is touched; one click accepts the unit (the case is dispatched); the
category is corrected with a note, which is recorded as training data and shown on the timeline."""

from __future__ import annotations

import pytest

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category, Channel, Party, ServiceType
from fengqiao.cases.workflow import Status
from fengqiao.org.models import Region
from fengqiao.triage.models import Part, TriageCorrection, TriageSuggestion
from tests.browser.test_login_roles import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

TEXT = "30余名工人被拖欠工资近两个月，工人情绪激动，扬言要到区政府门口聚集讨薪。"


def test_an_operator_triages_a_new_red_case(new_page, demo_site):
    from fengqiao.accounts.models import User

    labour = Category.objects.get(name="劳动和社会保障", parent__isnull=True)
    case = cs.case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.MEDIATION, title="工地欠薪 工人扬言聚集",
        description=TEXT, region=Region.objects.get(code="440311001001"), category=labour, people_count=36,
        reporter=User.objects.get(username="gm_station"),
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="刘强", phone="13600136000")],
    )
    assert case.grade == "red"
    code = case.code

    page = new_page()
    sign_in(page, demo_site, "gm_community_op")
    page.goto(f"/cases/{code}/")
    panel = page.locator("#triage")

    # Before touching it: the grade with every reason, and the unit with the rule behind it.
    grade = panel.locator('[data-part="grade"]')
    assert "一类" in grade.locator(".grade").inner_text()
    reasons = grade.locator(".evidence li").all_inner_texts()
    assert "文本出现聚集、集体上访信号：“聚集”" in reasons and "欠薪涉及36人（10人以上）" in reasons
    unit = panel.locator('[data-part="unit"]')
    assert unit.locator(".value").inner_text() == "光明区人力资源局"
    evidence = unit.locator(".evidence li").first.inner_text()
    assert evidence.startswith("职责清单第") and "劳动和社会保障" in evidence and "光明区人力资源局" in evidence

    # One click accepts the unit: the case is accepted and dispatched to it.
    with page.expect_navigation():
        unit.locator("form.accept button").click()
    assert page.locator(".msg-error").count() == 0
    case = Case.objects.get(code=code)
    assert case.status == Status.DISPATCHED and case.holder_unit.name == "光明区人力资源局"
    assert page.locator('#triage [data-part="unit"] .decided[data-status="accepted"]').count() == 1

    # Correct the category, with a note.
    category = page.locator('#triage [data-part="category"]')
    category.locator("details.correct summary").click()
    category.locator('select[name="value"]').select_option(label="劳动和社会保障 → 工资福利")
    category.locator('textarea[name="note"]').fill("工资拖欠，归入工资福利")
    with page.expect_navigation():
        category.locator('details.correct button[type="submit"]').click()
    assert page.locator(".msg-error").count() == 0
    case = Case.objects.get(code=code)
    assert case.category.name == "工资福利"
    correction = TriageCorrection.objects.get(case=case, task="category")
    assert correction.label == "劳动和社会保障" and correction.corrected_by.username == "gm_community_op"
    assert TriageSuggestion.objects.get(case=case, part=Part.CATEGORY).status == "corrected"
    assert page.locator('#triage [data-part="category"] .decided[data-status="corrected"]').count() == 1
    assert "工资拖欠，归入工资福利" in page.locator(".timeline").inner_text()

    # A grade override without a note is refused on the page, and the grade stays.
    grade = page.locator('#triage [data-part="grade"]')
    grade.locator("details.correct summary").click()
    grade.locator('select[name="value"]').select_option("green")
    grade.locator("textarea[name=note]").evaluate("el => el.removeAttribute('required')")
    grade.locator('details.correct button[type="submit"]').click()
    page.locator('#triage [data-part="grade"] .field-error').wait_for()
    assert Case.objects.get(code=code).grade == "red"
