"""Psychological service in the browser: the psychologist opens it from the case page, records consent and a
session, and lets the mediator read; the mediator reads it; the district leader is answered 404 and only sees,
on the case page, that confidential counselling is in progress."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.counselling.demo import family_case
from fengqiao.counselling.models import AccessLog, Engagement
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

NOTES = "来访者反映与女儿沟通困难，近一月入睡困难。BROWSER-NOTE-7"


def test_counsellor_records_and_grants_the_mediator_reads_the_leader_gets_404(new_page, demo_site):
    case = family_case(random.Random(7), timezone.now(), family=1)

    psychologist = new_page()
    staff_sign_in(psychologist, demo_site, "gm_psychologist")
    psychologist.goto(f"/cases/{case.code}/")
    notice = psychologist.locator("section.counselling-notice")
    with psychologist.expect_navigation():
        notice.locator('button[type="submit"]').click()
    engagement = Engagement.objects.get(case=case)
    assert psychologist.url.endswith(f"/counselling/{engagement.pk}/")

    # Consent first (who, when, how), then the session record.
    psychologist.fill("#id_consent-consent_by", "李建平（本人）")
    psychologist.select_option("#id_consent-method", "written")
    with psychologist.expect_navigation():
        psychologist.locator("#h-consent ~ form button[type=submit]").click()
    psychologist.fill("#id_record-notes", NOTES)
    psychologist.fill("#id_record-assessment", "轻度焦虑")
    psychologist.fill("#id_record-plan", "每周面谈一次")
    with psychologist.expect_navigation():
        psychologist.locator("#h-record ~ form button[type=submit]").click()
    assert psychologist.locator('[data-record="1"]').inner_text().count("BROWSER-NOTE-7") == 1

    # Let the mediator read.
    psychologist.locator("#grant-action summary").click()
    psychologist.fill("#id_grant-username", "gm_mediator")
    psychologist.fill("#id_grant-reason", "联合调解家庭矛盾，需要了解情绪评估")
    until = timezone.localtime() + timedelta(days=14)
    psychologist.fill("#id_grant-expires_at", until.strftime("%Y-%m-%dT%H:%M"))
    with psychologist.expect_navigation():
        psychologist.locator("#grant-action button[type=submit]").click()
    assert psychologist.locator(".msg-error").count() == 0
    assert "gm_mediator" in psychologist.locator("[data-grant]").first.inner_text()

    mediator = new_page()
    staff_sign_in(mediator, demo_site, "gm_mediator")
    mediator.goto(f"/cases/{case.code}/")
    assert mediator.locator("section.counselling-notice").get_by_text("心理服务进行中（保密）").count() == 1
    mediator.locator(f'section.counselling-notice a[data-engagement="{engagement.pk}"]').click()
    mediator.wait_for_url(f"**/counselling/{engagement.pk}/")
    assert "BROWSER-NOTE-7" in mediator.locator('[data-record="1"]').inner_text()
    assert mediator.locator("#h-record").count() == 0  # reads, never writes

    leader = new_page()
    staff_sign_in(leader, demo_site, "gm_leader")
    leader.goto(f"/cases/{case.code}/")
    notice = leader.locator("section.counselling-notice")
    assert notice.get_by_text("心理服务进行中（保密）").count() == 1 and notice.locator("a").count() == 0
    response = leader.goto(f"/counselling/{engagement.pk}/")
    assert response is not None and response.status == 404
    assert "BROWSER-NOTE-7" not in leader.content()

    # The counsellor sees who read: the mediator's read, and the leader's refused attempt.
    psychologist.goto(f"/counselling/{engagement.pk}/log/")
    assert psychologist.locator('tr[data-what="records"][data-user="gm_mediator"]').count() == 1
    assert psychologist.locator('tr[data-what="denied"][data-user="gm_leader"]').count() == 1
    assert AccessLog.objects.filter(engagement=engagement, user__username="gm_leader", what="denied").count() == 1
