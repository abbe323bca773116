"""The petition procedure through its services: every move, its timeline step, and the refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fengqiao.cases.models import CaseEvent
from fengqiao.cases.public import public_timeline
from fengqiao.notifications.models import Notification
from fengqiao.petitions import services as ps
from fengqiao.petitions.models import Petition, PetitionForm, Stage
from fengqiao.petitions.rules import CheckLine, ClosingItem, NotAcceptedGround, State, TransitionRefused

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def applicants(case):
    return list(case.parties.filter(role="applicant"))


def register(pcast, case, **kw):
    return ps.petition_register(case=case, actor=pcast.clerk, petitioners=applicants(case),
                                matter=kw.pop("matter", case.description), form=PetitionForm.VISIT, **kw)


def replied(pcast, org, case, on=TODAY):
    p = register(pcast, case, registered_on=on)
    ps.petition_accept(petition=p, actor=pcast.clerk, organ=org.housing, on=on + timedelta(days=3))
    ps.petition_start(petition=p, actor=pcast.clerk, on=on + timedelta(days=4))
    ps.petition_reply(petition=p, actor=pcast.clerk, facts="经查，电梯加装方案已经规划许可。",
                      opinion="建议业主委员会与低层业主协商补偿方案。", basis="《深圳市既有住宅加装电梯管理规定》",
                      on=on + timedelta(days=20))
    return p


CHECK_OK = [CheckLine(ClosingItem.SOLVED, True, True, "补偿方案已落实"),
            CheckLine(ClosingItem.EXPLAINED, False, False, ""),
            CheckLine(ClosingItem.HELPED, False, False, ""),
            CheckLine(ClosingItem.HANDLED_BY_LAW, False, False, "")]


@time_machine.travel("2026-06-30 10:00 +0800", tick=False)
def test_full_procedure_to_re_review_and_close(pcast, org, petition_case, cast):
    p = replied(pcast, org, petition_case)
    assert p.state == State.REPLIED and p.number.startswith("GMXF-2026-")
    assert p.opinions.get(stage=Stage.REPLY).next_organ_name == "深圳市光明区人民政府"
    # the petitioner asks for the review themselves, within 30 days of the reply (replied 03-22)
    ps.petition_request_review(petition=p, actor=cast.resident, on=date(2026, 4, 10))
    ps.petition_hearing_start(petition=p, actor=pcast.clerk, on=date(2026, 4, 20))
    ps.petition_hearing_end(petition=p, actor=pcast.clerk, on=date(2026, 4, 22))
    p.refresh_from_db()
    assert p.due_on == date(2026, 5, 10) + timedelta(days=3)  # 30 days + 3 hearing days
    ps.petition_decide_review(petition=p, actor=pcast.clerk, facts="复查查明……", opinion="维持原答复意见。",
                              basis="《信访工作条例》", on=date(2026, 5, 8))
    assert p.opinions.get(stage=Stage.REVIEW).next_organ_name == "深圳市人民政府"
    ps.petition_request_re_review(petition=p, actor=pcast.clerk, on=date(2026, 5, 20))
    ps.petition_decide_re_review(petition=p, actor=pcast.clerk, facts="复核查明……", opinion="维持复查意见。",
                                 basis="《信访工作条例》", on=date(2026, 6, 10))
    with pytest.raises(ValidationError, match="三到位一处理"):
        ps.petition_close(petition=p, actor=pcast.clerk)
    ps.petition_closing_check(petition=p, actor=pcast.clerk, lines=CHECK_OK)
    ps.petition_close(petition=p, actor=pcast.clerk)
    assert p.state == State.CLOSED
    steps = [e.data["step"] for e in CaseEvent.objects.filter(case=petition_case, action="petition").order_by("seq")]
    assert steps[0] == "petition_register" and steps[-1] == "petition_close" and len(steps) == 12
    labels = [e.label for e in public_timeline(petition_case)]
    assert "Petition accepted; handling organ: 光明区住房建设局" in labels
    assert not any("三到位" in label or "Closing" in label for label in labels)  # the check is for staff


@time_machine.travel("2026-06-30 10:00 +0800", tick=False)
def test_review_after_thirty_days_is_refused(pcast, org, petition_case, cast):
    p = replied(pcast, org, petition_case)  # replied 2026-03-22: until 2026-04-21
    with pytest.raises(ValidationError, match="2026-04-21"):
        ps.petition_request_review(petition=p, actor=cast.resident, on=date(2026, 4, 22))
    p.refresh_from_db()
    assert p.state == State.REPLIED and not p.opinions.filter(stage=Stage.REVIEW).exists()


@time_machine.travel("2026-06-30 10:00 +0800", tick=False)
def test_out_of_order_moves_are_refused_and_change_nothing(pcast, org, petition_case):
    p = replied(pcast, org, petition_case)
    with pytest.raises(TransitionRefused, match="复核"):
        ps.petition_request_re_review(petition=p, actor=pcast.clerk)
    with pytest.raises(TransitionRefused):
        ps.petition_decide_review(petition=p, actor=pcast.clerk, facts="x", opinion="y", basis="z")
    with pytest.raises(TransitionRefused):
        ps.petition_accept(petition=p, actor=pcast.clerk, organ=org.housing)
    assert Petition.objects.get(pk=p.pk).state == State.REPLIED


@time_machine.travel("2026-04-01 10:00 +0800", tick=False)
def test_extension_needs_the_head_and_at_most_thirty_days_once(pcast, org, petition_case, cast):
    p = register(pcast, petition_case, registered_on=TODAY)
    ps.petition_accept(petition=p, actor=pcast.clerk, organ=org.housing, on=TODAY)
    with pytest.raises(ValidationError, match="1 to 30"):
        ps.petition_extend(petition=p, actor=pcast.clerk, days=31, reason="案情复杂", approved_by=pcast.housing_head)
    with pytest.raises(ValidationError, match="head of the handling organ"):
        ps.petition_extend(petition=p, actor=pcast.clerk, days=20, reason="案情复杂", approved_by=None)
    with pytest.raises(ValidationError, match="head of the handling organ"):  # a leader, but of the wrong organ
        ps.petition_extend(petition=p, actor=pcast.clerk, days=20, reason="案情复杂", approved_by=pcast.head)
    p.refresh_from_db()
    assert p.extension_days == 0 and p.due_on == date(2026, 5, 1)
    ps.petition_extend(petition=p, actor=pcast.clerk, days=30, reason="需要委托第三方检测采光", approved_by=pcast.housing_head)
    assert p.due_on == date(2026, 5, 31)
    # the district's leader is above every department: may approve too, but only one extension is allowed
    with pytest.raises(ValidationError, match="once"):
        ps.petition_extend(petition=p, actor=pcast.clerk, days=5, reason="再延", approved_by=cast.leader)
    told = [e for e in public_timeline(petition_case) if "extended" in e.label]
    assert told and told[0].text == "需要委托第三方检测采光"  # the petitioner is told why


@time_machine.travel("2026-09-30 10:00 +0800", tick=False)
def test_a_petition_on_re_reviewed_facts_is_recognised_and_not_accepted_again(pcast, org, petition_case, make_case,
                                                                              cast):
    from fengqiao.cases.models import Party
    from fengqiao.cases.services import PartyInput

    old = replied(pcast, org, petition_case)
    ps.petition_request_review(petition=old, actor=pcast.clerk, on=date(2026, 4, 1))
    ps.petition_decide_review(petition=old, actor=pcast.clerk, facts="f", opinion="o", basis="b", on=date(2026, 4, 20))
    ps.petition_request_re_review(petition=old, actor=pcast.clerk, on=date(2026, 5, 1))
    ps.petition_decide_re_review(petition=old, actor=pcast.clerk, facts="f", opinion="o", basis="b",
                                 on=date(2026, 5, 25))
    again = make_case(description="小区加装电梯影响低层业主采光，要求补偿，请求再次处理。",
                      parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="李建华", phone="13912345678")])
    new = register(pcast, again)
    assert new.repeat_of == old and "alike" in new.repeat_basis
    with pytest.raises(ValidationError, match="not accepted again"):
        ps.petition_accept(petition=new, actor=pcast.clerk, organ=org.housing)
    ps.petition_not_accept(petition=new, actor=pcast.clerk, ground=NotAcceptedGround.RE_REVIEWED, reason="")
    new.refresh_from_db()
    assert new.state == State.NOT_ACCEPTED
    step = CaseEvent.objects.filter(case=again, action="petition", data__step="petition_not_accept").get()
    assert step.reason == f"Not re-accepted: re-reviewed on 2026-05-25, petition {old.number}."
    assert any("re-reviewed on 2026-05-25" in e.label for e in public_timeline(again))
    # another person on similar words is not a repeat
    other = make_case(description="小区加装电梯影响低层业主采光，要求补偿，请求再次处理。",
                      parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="王芳", phone="13700000000")])
    assert register(pcast, other).repeat_of is None


def test_only_petition_office_staff_register_and_act(pcast, org, petition_case, cast, make_case):
    for user in (cast.op_district, cast.handler, cast.auditor, cast.resident, cast.outsider, cast.luohu_op):
        with pytest.raises(PermissionDenied):
            register(type("C", (), {"clerk": user}), petition_case)
    p = register(pcast, petition_case)
    with pytest.raises(PermissionDenied):
        ps.petition_accept(petition=p, actor=cast.op_district, organ=org.housing)
    with pytest.raises(PermissionDenied):  # the petitioner may ask for a review, not decide
        ps.petition_accept(petition=p, actor=cast.resident, organ=org.housing)
    luohu_case = make_case("440303001001")  # Luohu is outside the region the office serves
    assert not ps.may_register(pcast.clerk, luohu_case) and ps.may_register(pcast.clerk, petition_case)
    with pytest.raises(PermissionDenied):
        register(pcast, luohu_case)
    assert list(Petition.objects.visible_to(pcast.clerk)) == [p]
    assert list(Petition.objects.visible_to(cast.auditor)) == [p]
    assert not Petition.objects.visible_to(cast.op_district).exists()
    assert not Petition.objects.visible_to(cast.outsider).exists()


def test_bad_registration_writes_nothing(pcast, petition_case):
    before = Petition.objects.count()
    with pytest.raises(ValidationError) as bad:
        ps.petition_register(case=petition_case, actor=pcast.clerk, petitioners=[], matter=" ", form="fax")
    assert set(bad.value.message_dict) == {"petitioners", "matter", "form"}
    assert Petition.objects.count() == before


@time_machine.travel("2026-06-30 10:00 +0800", tick=False)
def test_closing_needs_the_petitioner_to_accept_while_the_review_window_is_open(pcast, org, petition_case):
    p = replied(pcast, org, petition_case, on=date(2026, 6, 1))  # replied 06-21: the window runs to 07-21
    ps.petition_closing_check(petition=p, actor=pcast.clerk, lines=CHECK_OK)
    with pytest.raises(ValidationError, match="may still ask"):
        ps.petition_close(petition=p, actor=pcast.clerk)
    ps.petition_close(petition=p, actor=pcast.clerk, petitioner_accepts=True)
    assert p.state == State.CLOSED


def test_closing_refused_while_an_applicable_item_is_not_done(pcast, org, petition_case):
    with time_machine.travel("2026-06-30 10:00 +0800", tick=False):
        p = replied(pcast, org, petition_case)
        lines = [CheckLine(ClosingItem.SOLVED, True, True, "已解决"), CheckLine(ClosingItem.EXPLAINED, False, False),
                 CheckLine(ClosingItem.HELPED, True, False, "正在申请临时救助"),
                 CheckLine(ClosingItem.HANDLED_BY_LAW, False, False)]
        ps.petition_closing_check(petition=p, actor=pcast.clerk, lines=lines)
        with pytest.raises(ValidationError, match="生活困难"):
            ps.petition_close(petition=p, actor=pcast.clerk)
        assert Petition.objects.get(pk=p.pk).state == State.REPLIED


def test_clock_sweep_reminds_then_alerts_overdue_once(pcast, org, petition_case):
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        p = register(pcast, petition_case)
    assert p.due_on == date(2026, 3, 17)
    assert ps.petition_sweep(date(2026, 3, 10)) == {"reminders": 0, "overdue": 0}
    assert ps.petition_sweep(date(2026, 3, 15)) == {"reminders": 1, "overdue": 0}
    assert ps.petition_sweep(date(2026, 3, 16)) == {"reminders": 0, "overdue": 0}  # the same alert once
    assert ps.petition_sweep(date(2026, 3, 18)) == {"reminders": 0, "overdue": 1}
    assert ps.petition_sweep(date(2026, 3, 19)) == {"reminders": 0, "overdue": 0}
    told = Notification.objects.filter(recipient=pcast.clerk, kind="petition_overdue")
    assert told.count() == 1 and p.number in told.get().title
    assert Notification.objects.filter(recipient=pcast.head).count() == 2
