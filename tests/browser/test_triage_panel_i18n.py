"""The triage panel and the grade's reasons in the browser, in both languages.

A group's wage arrears (23 workers, filed as a complaint, with the word 投诉 in the text) is suggested as dispute
mediation by a rule: the panel shows the rule's reason and no percentage, and one click
accepts it. The reasons of the grade ("Why this grade" and the panel) are in the reader's language with the
figures filled in."""

from __future__ import annotations

import re

import pytest

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.org.models import Region
from tests.browser.test_login_roles import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WAGES = "我们23名工人在光明社区的工地干了半年，老板拖欠工资三个月不发，投诉多次没有结果，大家都等着钱回家过年。"
TEXT = {
    "zh-hans": {"mediation": "纠纷调解", "complaint": "投诉建议", "rule": "劳资纠纷", "source": "规则判定",
                "wages": "欠薪涉及23人（10人以上）", "money": "涉及金额42万元，达到10万元以上"},
    "en": {"mediation": "Dispute mediation", "complaint": "Complaint and suggestion",
           "rule": "a group's labour dispute", "source": "by the rules",
           "wages": "Wage arrears involving 23 people (10 or more)",
           "money": "Money involved: 420,000 yuan, 100,000 yuan or more"},
}


def in_language(page, lang: str) -> None:
    """Switch with the site's own switcher in the top bar (it sets the language cookie)."""
    if page.locator("html").get_attribute("lang") != lang:
        page.locator(f'button[data-lang="{lang}"]').click()
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")


def group_wage_case() -> Case:
    return cs.case_submit(
        channel=Channel.WEB, service_type=ServiceType.COMPLAINT, title="投诉老板拖欠工资", description=WAGES,
        region=Region.objects.get(code="440311001001"), people_count=23, amount=420_000,
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="陈建国", phone="13600136001")],
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_service_type_is_a_rule_with_its_reason_and_grade_reasons_read_in_the_readers_language(
        new_page, demo_site, lang):
    code = group_wage_case().code
    text = TEXT[lang]
    page = new_page()
    sign_in(page, demo_site, "gm_community_op")
    page.goto(f"/cases/{code}/")
    in_language(page, lang)

    service = page.locator('#triage [data-part="service_type"]')
    assert service.locator(".value").inner_text() == text["mediation"]
    shown = service.inner_text()
    assert "%" not in shown and service.locator(".confidence").count() == 0
    assert text["source"] in service.locator(".source").inner_text()
    reasons = service.locator(".evidence li").all_inner_texts()
    assert len(reasons) == 1 and text["rule"] in reasons[0] and "23" in reasons[0]
    assert text["complaint"] in service.locator(".alternatives").inner_text()  # the word 投诉: the next candidate

    # Why this grade, and the grade's reasons in the panel: the reader's language, the figures filled in.
    why = page.locator("ul.reasons li").all_inner_texts()
    assert text["wages"] in why and text["money"] in why
    grade = page.locator('#triage [data-part="grade"] .evidence li').all_inner_texts()
    assert text["wages"] in grade
    if lang == "en":
        # nothing Chinese but the words quoted from the case
        assert not any(re.search(r"[\u4e00-\u9fff]", re.sub(r"“[^”]*”", "", r)) for r in why)

    # A rule's answer is not a guess: one click accepts it.
    with page.expect_navigation():
        service.locator("form.accept button").click()
    assert Case.objects.get(code=code).service_type == ServiceType.MEDIATION
    assert page.locator('#triage [data-part="service_type"] .decided[data-status="accepted"]').count() == 1
