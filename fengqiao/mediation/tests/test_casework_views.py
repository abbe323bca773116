"""The mediator's workspace pages: who sees them (404 otherwise), the week's calendar and lists, opening from the case
page, the mediation page's forms and their refusals in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Party, ServiceType
from fengqiao.cases.workflow import Status
from fengqiao.mediation import casework as cw
from fengqiao.mediation.models import Booking, Mediation, MediationOutcome, MeetingMode, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(cast, org, make_case):
    case = make_case(
        service_type=ServiceType.MEDIATION, title="装修噪音邻里纠纷", description="邻居装修长期噪音扰民，协商无果，请求调解。",
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13800138000"),
                 cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="李建国", phone="13900139000")],
    )
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_escalate(case=case, actor=cast.op_community, reason="需街道调委会调解")
    cs.case_dispatch(case=case, actor=cast.op_street, unit=org.mediation)
    return case


def test_workspace_is_for_mediators_and_readers_only(cast, client_for, dispute):
    for user in (cast.handler, cast.op_street, cast.luohu_op, cast.outsider, cast.resident):
        assert client_for(user).get("/mediation/").status_code == 404, user
    page = client_for(cast.mediator).get("/mediation/")
    assert page.status_code == 200
    assert dispute.code in page.content.decode()  # waiting for a mediation
    assert client_for(cast.auditor).get("/mediation/").status_code == 200


def test_open_from_the_case_page_and_the_mediation_page(cast, client_for, dispute):
    client = client_for(cast.mediator)
    case_page = client.get(f"/cases/{dispute.code}/").content.decode()
    assert f"/mediation/open/{dispute.code}/" in case_page
    form = client.get(f"/mediation/open/{dispute.code}/")
    assert dispute.description in form.content.decode()  # facts prefilled from the case
    response = client.post(f"/mediation/open/{dispute.code}/", {"facts": "邻居装修噪音", "matters": "赔偿与施工时间"})
    mediation = Mediation.objects.get(case=dispute)
    assert response.status_code == 302 and response["Location"] == f"/mediation/{mediation.pk}/"
    dispute.refresh_from_db()
    assert dispute.status == Status.IN_PROGRESS
    page = client.get(f"/mediation/{mediation.pk}/").content.decode()
    assert "王**" in page and "13800138000" not in page and "138****8000" in page  # masked
    assert f"/mediation/{mediation.pk}/" in client.get(f"/cases/{dispute.code}/").content.decode()
    again = client.post(f"/mediation/open/{dispute.code}/", {"facts": "x", "matters": "y"})
    assert again.status_code in (400, 403) and Mediation.objects.filter(case=dispute).count() == 1


def test_mediation_page_scope(cast, client_for, dispute):
    mediation = cw.mediation_open(case=dispute, actor=cast.mediator)
    for user in (cast.handler, cast.op_street, cast.luohu_op, cast.outsider):
        assert client_for(user).get(f"/mediation/{mediation.pk}/").status_code == 404, user
    auditor = client_for(cast.auditor)
    page = auditor.get(f"/mediation/{mediation.pk}/")
    assert page.status_code == 200 and 'data-testid="conclude"' not in page.content.decode()  # reads, no forms
    refused = auditor.post(f"/mediation/{mediation.pk}/extend/", {"extend-days": 5, "extend-reason": "x",
                                                                  "extend-applicant_consents": "on",
                                                                  "extend-respondent_consents": "on"})
    assert refused.status_code == 403


def test_scheduling_in_the_past_says_why_in_chinese_and_english(cast, client_for, dispute):
    mediation = cw.mediation_open(case=dispute, actor=cast.mediator)
    client = client_for(cast.mediator)
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"schedule-scheduled_at": past, "schedule-mode": MeetingMode.IN_PERSON, "schedule-place": "调解室"}
    zh = client.post(f"/mediation/{mediation.pk}/sessions/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 400 and "不能安排在过去" in zh.content.decode()
    client.cookies["django_language"] = "en"
    en = client.post(f"/mediation/{mediation.pk}/sessions/", data)
    assert en.status_code == 400 and "cannot be scheduled in the past" in en.content.decode()
    assert not Session.objects.filter(mediation=mediation).exists()


def test_a_session_held_signed_and_concluded_through_the_pages(cast, client_for, dispute):
    mediation = cw.mediation_open(case=dispute, actor=cast.mediator)
    client = client_for(cast.mediator)
    soon = timezone.localtime(timezone.now() + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/mediation/{mediation.pk}/sessions/", {
        "schedule-scheduled_at": soon, "schedule-mode": MeetingMode.BACK_TO_BACK, "schedule-place": "光明街道调解室"})
    assert response.status_code == 302
    session = mediation.sessions.get()
    applicant, respondent = dispute.parties.order_by("pk")
    prefix = f"hold{session.pk}"
    bad = client.post(f"/mediation/{mediation.pk}/sessions/{session.pk}/hold/", {
        f"{prefix}-party_{applicant.pk}": "on", f"{prefix}-record": "分别听取意见"})
    assert bad.status_code == 400  # back to back: the separate talk is missing
    ok = client.post(f"/mediation/{mediation.pk}/sessions/{session.pk}/hold/", {
        f"{prefix}-party_{applicant.pk}": "on", f"{prefix}-part_party_{applicant.pk}": "1",
        f"{prefix}-party_{respondent.pk}": "on", f"{prefix}-part_party_{respondent.pk}": "2",
        f"{prefix}-user_{cast.mediator.pk}": "on",
        f"{prefix}-other_name_1": "张律师", f"{prefix}-other_role_1": "agent", f"{prefix}-other_part_1": "1",
        f"{prefix}-record": "第一场：申请人陈述噪音情况；第二场：被申请人同意调整施工时间。"})
    assert ok.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.HELD and session.attendees.count() == 4
    attendee = session.attendees.get(party=applicant)
    assert client.post(f"/mediation/{mediation.pk}/sign/{attendee.pk}/").status_code == 302
    twice = client.post(f"/mediation/{mediation.pk}/sign/{attendee.pk}/")
    assert twice.status_code == 400 and "已" in twice.content.decode()
    no_route = client.post(f"/mediation/{mediation.pk}/conclude/", {
        "conclude-outcome": MediationOutcome.NONE, "conclude-note": "双方未达成一致"})
    assert no_route.status_code == 400
    mediation.refresh_from_db()
    assert mediation.status == Mediation.Status.OPEN
    done = client.post(f"/mediation/{mediation.pk}/conclude/", {
        "conclude-outcome": MediationOutcome.NONE, "conclude-referral": "litigation", "conclude-note": "双方未达成一致"})
    assert done.status_code == 302
    mediation.refresh_from_db()
    assert mediation.status == Mediation.Status.CONCLUDED
    page = client.get(f"/mediation/{mediation.pk}/").content.decode()
    assert 'data-referral="litigation"' in page and 'data-testid="conclude"' not in page


def test_calendar_shows_sessions_and_bookings_with_open_button(cast, client_for, dispute):
    mediation = cw.mediation_open(case=dispute, actor=cast.mediator)
    now = timezone.now()
    cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=now + timedelta(hours=1), place="调解室")
    booking = Booking.objects.create(mediator=cast.mediator.mediator_profile, starts_at=now + timedelta(hours=2),
                                     ends_at=now + timedelta(hours=3), name="赵六", phone="13700137000",
                                     matter="与房东就押金退还发生纠纷，请求调解。")
    page = client_for(cast.mediator).get("/mediation/").content.decode()
    assert 'data-testid="cal-session"' in page and booking.code in page
    assert f"/mediation/open/booking/{booking.pk}/" in page


def test_opening_from_a_booking_without_a_case_takes_it_in(cast, client_for):
    now = timezone.now()
    booking = Booking.objects.create(mediator=cast.mediator.mediator_profile, starts_at=now + timedelta(hours=2),
                                     ends_at=now + timedelta(hours=3), name="赵六", phone="13700137000",
                                     matter="与房东就押金退还发生纠纷，请求调解。")
    client = client_for(cast.mediator)
    response = client.post(f"/mediation/open/booking/{booking.pk}/", {"facts": "押金纠纷", "matters": "押金退还"})
    assert response.status_code == 302
    booking.refresh_from_db()
    mediation = Mediation.objects.get(booking=booking)
    assert booking.case_id == mediation.case_id and mediation.source == "booking"
    assert mediation.case.holder_unit.name == "光明街道人民调解委员会" and mediation.case.status == Status.IN_PROGRESS
    assert client_for(cast.handler).get(f"/mediation/open/booking/{booking.pk}/").status_code == 404


def test_overdue_mediation_flagged_on_home(cast, client_for, dispute):
    mediation = cw.mediation_open(case=dispute, actor=cast.mediator, at=timezone.now() - timedelta(days=40))
    assert mediation.due_at < timezone.now()
    page = client_for(cast.mediator).get("/mediation/").content.decode()
    assert 'data-overdue="1"' in page and 'data-testid="overdue-alert"' in page
