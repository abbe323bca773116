"""The deadline sweep with a frozen clock: remind, alert, escalate — each exactly once, even across crashes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent, Grade
from fengqiao.cases.workflow import Action
from fengqiao.notifications.models import Notification
from fengqiao.sla import sweep as sweep_module
from fengqiao.sla.models import Deadline, DeadlineState
from fengqiao.sla.sweep import sweep

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday


def events(case, action):
    return CaseEvent.objects.filter(case=case, action=action).count()


@pytest.fixture
def red_case(make_case):
    with time_machine.travel(T0, tick=False):
        return make_case(grade=Grade.RED, submitted_at=T0)


def test_red_case_review_clock_is_ten_minutes(red_case):
    review = Deadline.objects.get(case=red_case, step="review", state=DeadlineState.OPEN)
    assert review.due_at == T0 + timedelta(minutes=10)
    assert red_case.due_at == review.due_at


def test_reminder_then_alert_then_escalation_each_once(red_case, cast, org):
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        assert sweep().as_dict()["reminded"] == 0  # remind_at is 3 minutes before the deadline
    with time_machine.travel(T0 + timedelta(minutes=7, seconds=30), tick=False):
        assert sweep().as_dict() == {"reminded": 1, "alerted": 0, "escalated": 0, "failed": 0}
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert sweep().as_dict() == {"reminded": 0, "alerted": 1, "escalated": 0, "failed": 0}
    with time_machine.travel(T0 + timedelta(minutes=21), tick=False):
        assert sweep().as_dict() == {"reminded": 0, "alerted": 0, "escalated": 1, "failed": 0}
        assert sweep().as_dict() == {"reminded": 0, "alerted": 0, "escalated": 0, "failed": 0}
    assert events(red_case, Action.DEADLINE_REMINDER) == 1
    assert events(red_case, Action.DEADLINE_OVERDUE) == 1
    assert events(red_case, Action.DEADLINE_ESCALATED) == 1
    # The community centre holds the case: its operator hears of it; the escalation reaches
    # the street centre above it and the district leader.
    assert Notification.objects.filter(recipient=cast.op_community, case=red_case, kind="deadline_overdue").count() == 1
    assert Notification.objects.filter(recipient=cast.op_street, case=red_case, kind="deadline_escalated").exists()
    assert Notification.objects.filter(recipient=cast.leader, case=red_case, kind="deadline_escalated").exists()
    assert not Notification.objects.filter(recipient=cast.luohu_op).exists()


def test_a_crash_between_deadline_and_alert_neither_loses_nor_duplicates(red_case, monkeypatch):
    real_notify = sweep_module.notify
    calls = {"n": 0}

    def crashing_notify(*args, **kwargs):
        calls["n"] += 1
        raise RuntimeError("worker killed mid-alert")

    monkeypatch.setattr(sweep_module, "notify", crashing_notify)
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        report = sweep()
    assert calls["n"] >= 1 and report.failed
    deadline = Deadline.objects.get(case=red_case, step="review")
    assert deadline.alerted_at is None  # the claim was rolled back with the failed alert
    assert events(red_case, Action.DEADLINE_OVERDUE) == 0

    monkeypatch.setattr(sweep_module, "notify", real_notify)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        assert sweep().as_dict()["alerted"] == 1
        assert sweep().as_dict()["alerted"] == 0
    assert events(red_case, Action.DEADLINE_OVERDUE) == 1
    assert Notification.objects.filter(case=red_case, kind="deadline_overdue").values("recipient").distinct().count() == (
        Notification.objects.filter(case=red_case, kind="deadline_overdue").count()
    )


def test_acting_in_time_meets_the_deadline_and_opens_the_next(red_case, cast):
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        cs.case_accept(case=red_case, actor=cast.op_community)
    review = Deadline.objects.get(case=red_case, step="review")
    assert review.state == DeadlineState.MET
    dispatch = Deadline.objects.get(case=red_case, step="dispatch", state=DeadlineState.OPEN)
    assert dispatch.due_at == T0 + timedelta(minutes=35)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        assert sweep().as_dict()["alerted"] == 0  # the met review deadline is never alerted


def test_late_action_records_a_missed_deadline(red_case, cast):
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        cs.case_accept(case=red_case, actor=cast.op_community)
    assert Deadline.objects.get(case=red_case, step="review").state == DeadlineState.MISSED


def test_hold_pauses_the_resolve_clock_and_resume_gives_back_the_time_left(red_case, cast, org):
    with time_machine.travel(T0, tick=False):
        cs.case_accept(case=red_case, actor=cast.op_community)
        cs.case_dispatch(case=red_case, actor=cast.op_community, unit=org.hr)
        cs.case_sign(case=red_case, actor=cast.handler)
    resolve = Deadline.objects.get(case=red_case, step="resolve", state=DeadlineState.OPEN)
    assert resolve.due_at == T0 + timedelta(hours=24)
    with time_machine.travel(T0 + timedelta(hours=4), tick=False):
        cs.case_hold(case=red_case, actor=cast.handler, reason="等待当事人提供工资单")
    resolve.refresh_from_db()
    assert resolve.state == DeadlineState.PAUSED and resolve.paused_seconds_left == 20 * 3600
    with time_machine.travel(T0 + timedelta(hours=40), tick=False):
        assert sweep().as_dict()["alerted"] == 0  # a paused clock is never overdue
        cs.case_resume(case=red_case, actor=cast.handler)
    resolve.refresh_from_db()
    assert resolve.state == DeadlineState.OPEN
    assert resolve.due_at == T0 + timedelta(hours=60)


def test_approved_extension_moves_the_resolve_deadline(red_case, cast, org):
    with time_machine.travel(T0, tick=False):
        cs.case_accept(case=red_case, actor=cast.op_community)
        cs.case_dispatch(case=red_case, actor=cast.op_community, unit=org.hr)
        cs.case_sign(case=red_case, actor=cast.handler)
        cs.case_extension_request(case=red_case, actor=cast.handler, reason="需要劳动监察立案调查", days=3)
        cs.case_extension_decide(case=red_case, actor=cast.op_community, approve=True)
    resolve = Deadline.objects.get(case=red_case, step="resolve", state=DeadlineState.OPEN)
    assert resolve.due_at == T0 + timedelta(hours=24, days=3)
    assert resolve.extended_days == 3


def test_progress_notes_restart_the_hourly_progress_clock_for_red_cases(red_case, cast, org):
    with time_machine.travel(T0, tick=False):
        cs.case_accept(case=red_case, actor=cast.op_community)
        cs.case_dispatch(case=red_case, actor=cast.op_community, unit=org.hr)
        cs.case_sign(case=red_case, actor=cast.handler)
    progress = Deadline.objects.get(case=red_case, step="progress", state=DeadlineState.OPEN)
    assert progress.due_at == T0 + timedelta(hours=1)
    with time_machine.travel(T0 + timedelta(minutes=50), tick=False):
        cs.case_progress(case=red_case, actor=cast.handler, note="已到企业现场核实")
    progress.refresh_from_db()
    assert progress.state == DeadlineState.MET
    fresh = Deadline.objects.get(case=red_case, step="progress", state=DeadlineState.OPEN)
    assert fresh.due_at == T0 + timedelta(minutes=110)
