"""The mediator's day (desktop): gm_mediator opens a mediation on a dispute dispatched to the committee, schedules a
session, records it as held with the parties present and the record (笔录), takes a party's signature, and concludes
without agreement, referring the dispute to litigation; the case is resolved "not resolved" with the route named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Outcome, Party, ServiceType
from fengqiao.cases.workflow import Status
from fengqiao.mediation.models import Mediation, Referral, Session
from fengqiao.org.models import OrgUnit, Region
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _dispatched_dispute() -> Case:
    from fengqiao.accounts.models import User

    community_op = User.objects.get(username="gm_community_op")
    street_op = User.objects.get(username="gm_street_op")
    case = cs.case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.MEDIATION, title="楼上漏水损坏天花板",
        description="楼上住户卫生间防水层破损，漏水导致我家天花板和衣柜损坏，多次协商赔偿未果，请求调解。",
        region=Region.objects.get(code="440311001001"), reporter=User.objects.get(username="gm_station"),
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="陈美玲", phone="13612345678"),
                 cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="黄志伟", phone="13787654321")],
    )
    cs.case_accept(case=case, actor=community_op)
    cs.case_escalate(case=case, actor=community_op, reason="涉及赔偿金额，需街道人民调解委员会调解。")
    cs.case_dispatch(case=case, actor=street_op, unit=OrgUnit.objects.get(name="光明街道人民调解委员会"))
    return case


def _no_errors(page) -> None:
    assert page.locator(".msg-error, .field-error").count() == 0, page.locator("main").inner_text()[:2000]


def test_mediator_holds_a_session_and_refers_to_litigation(new_page, demo_site):
    case = _dispatched_dispute()
    page = new_page()
    staff_sign_in(page, demo_site, "gm_mediator")

    page.goto("/mediation/")
    page.locator(f'[data-testid="awaiting-case"] a[href="/mediation/open/{case.code}/"]').click()
    page.wait_for_url(f"**/mediation/open/{case.code}/")
    assert "天花板" in page.locator("#id_facts").input_value()  # the facts come from the case
    with page.expect_navigation():
        page.locator('[data-testid="open-mediation"]').click()
    _no_errors(page)
    mediation = Mediation.objects.get(case=case)
    assert page.url.endswith(f"/mediation/{mediation.pk}/")
    assert "陈**" in page.content() and "13612345678" not in page.content()  # parties masked

    when = timezone.localtime(timezone.now() + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_schedule-scheduled_at", when)
    page.select_option("#id_schedule-mode", "in_person")
    page.fill("#id_schedule-place", "光明街道人民调解室")
    with page.expect_navigation():
        page.locator('[data-testid="schedule-session"]').click()
    _no_errors(page)
    session = Session.objects.get(mediation=mediation)

    hold = page.locator(f'#session-{session.pk} details[data-action="hold"]')
    hold.locator("summary").click()
    boxes = hold.locator('input[type="checkbox"]')
    for i in range(boxes.count()):  # both parties and the mediator came
        boxes.nth(i).check()
    hold.locator("textarea").fill("申请人陈述漏水经过及损失约6000元；被申请人承认漏水，但认为赔偿过高，只同意承担维修费用。")
    with page.expect_navigation():
        hold.locator('[data-testid="hold-session"]').click()
    _no_errors(page)
    session.refresh_from_db()
    assert session.status == Session.Status.HELD and session.attendees.filter(party__isnull=False).count() == 2
    assert page.locator(f'#session-{session.pk} [data-testid="record"]').inner_text().startswith("申请人陈述漏水经过")

    with page.expect_navigation():
        page.locator(f'#session-{session.pk} [data-testid="sign"]').first.click()
    _no_errors(page)
    assert page.locator(f'#session-{session.pk} [data-testid="signed"]').count() == 1

    page.select_option("#id_conclude-outcome", "none")
    page.select_option("#id_conclude-referral", "litigation")
    page.fill("#id_conclude-note", "双方对赔偿金额分歧较大，未能达成协议，已告知申请人可向光明区人民法院起诉。")
    with page.expect_navigation():
        page.locator('[data-testid="conclude"]').click()
    _no_errors(page)
    assert page.locator('[data-testid="mediation-status"]').get_attribute("data-status") == "concluded"
    assert page.locator('[data-testid="referral"]').get_attribute("data-referral") == "litigation"

    mediation.refresh_from_db()
    case.refresh_from_db()
    assert mediation.status == Mediation.Status.CONCLUDED and mediation.referral == Referral.LITIGATION
    assert case.status == Status.RESOLVED and case.outcome == Outcome.NOT_RESOLVED
    page.goto(f"/cases/{case.code}/")  # the case page links back to the concluded mediation
    assert page.locator(f'[data-testid="mediation-link"] a[href="/mediation/{mediation.pk}/"]').count() == 1
