"""The statutory clocks and checks of a petition, as plain functions (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from fengqiao.petitions import rules
from fengqiao.petitions.rules import CheckLine, Clock, ClosingItem, Move, State
from fengqiao.sla.deadlines import is_working_day


def test_intake_and_handling_limits_count_natural_days_from_the_day_after():
    assert rules.intake_due(date(2026, 3, 2)) == date(2026, 3, 17)
    assert rules.handling_due(date(2026, 3, 2)) == date(2026, 5, 1)
    assert rules.handling_due(date(2026, 3, 2), 30) == date(2026, 5, 31)


def test_organ_limits_are_not_moved_by_holidays_but_the_petitioners_are():
    # 2026-10-01 is National Day: an organ's limit ending then stays; the petitioner's moves to the next working day.
    assert rules.organ_limit(date(2026, 9, 1), 30) == date(2026, 10, 1)
    moved = rules.request_until(date(2026, 9, 1))
    assert moved > date(2026, 10, 1) and is_working_day(moved)
    assert not any(is_working_day(date(2026, 10, d)) for d in range(1, moved.day))
    assert rules.request_until(date(2026, 3, 2)) == date(2026, 4, 1)  # a Wednesday: unchanged


def test_hearing_days_are_not_counted_in_the_decision_limit():
    requested = date(2026, 3, 2)
    assert rules.decision_due(requested) == date(2026, 4, 1)
    # a two-day hearing (both days count as hearing time) moves the limit by two days
    assert rules.decision_due(requested, [(date(2026, 3, 10), date(2026, 3, 11))]) == date(2026, 4, 3)
    # a hearing still running counts up to today: the clock stands still
    running = [(date(2026, 3, 10), None)]
    assert rules.decision_due(requested, running, today=date(2026, 3, 12)) == date(2026, 4, 4)
    assert rules.decision_due(requested, running, today=date(2026, 3, 13)) == date(2026, 4, 5)


def test_clock_for_each_state():
    kw = {"received_on": date(2026, 3, 2), "today": date(2026, 3, 20)}
    c = rules.clock_for(State.REGISTERED, **kw)
    assert (c.clock, c.due, c.overdue(kw["today"])) == (Clock.INTAKE, date(2026, 3, 17), True)
    c = rules.clock_for(State.HANDLING, accepted_on=date(2026, 3, 5), extension_days=10, **kw)
    assert (c.clock, c.due) == (Clock.HANDLING, date(2026, 5, 14))
    c = rules.clock_for(State.REPLIED, replied_on=date(2026, 1, 5), **kw)
    assert c.clock == Clock.REVIEW_WINDOW and not c.organ and c.expired(kw["today"]) and not c.overdue(kw["today"])
    c = rules.clock_for(State.REVIEW_REQUESTED, review_requested_on=date(2026, 3, 10),
                        hearings=[("review", date(2026, 3, 15), None)], **kw)
    assert c.paused and not c.overdue(date(2026, 12, 1)) and not c.reminder(kw["today"])
    assert rules.clock_for(State.CLOSED, **kw) is None


def test_reminder_window():
    c = rules.ClockState(Clock.HANDLING, date(2026, 5, 10))
    assert c.reminder(date(2026, 5, 7)) and c.reminder(date(2026, 5, 10))
    assert not c.reminder(date(2026, 5, 6)) and not c.reminder(date(2026, 5, 11)) and c.overdue(date(2026, 5, 11))


@pytest.mark.parametrize(("move", "state", "words"), [
    (Move.REQUEST_RE_REVIEW, State.REPLIED, "复核"),
    (Move.DECIDE_REVIEW, State.REPLIED, "review"),
    (Move.CLOSE, State.HANDLING, "written reply"),
    (Move.REPLY, State.REGISTERED, "accepted"),
    (Move.EXTEND, State.REPLIED, "extended"),
])
def test_moves_out_of_order_are_refused_with_what_comes_first(move, state, words):
    with pytest.raises(rules.TransitionRefused) as refused:
        rules.next_state(move, state)
    assert words in str(refused.value)


def test_the_procedure_runs_in_order():
    state = State.REGISTERED
    for move in (Move.ACCEPT, Move.START, Move.REPLY, Move.REQUEST_REVIEW, Move.DECIDE_REVIEW,
                 Move.REQUEST_RE_REVIEW, Move.DECIDE_RE_REVIEW, Move.CLOSE):
        state = rules.next_state(move, state)
    assert state == State.CLOSED
    assert Move.HEARING_START in rules.allowed_moves(State.REVIEW_REQUESTED)


def test_extension_rules():
    assert rules.validate_extension(30, already_extended=False, approved=True) == []
    assert len(rules.validate_extension(31, already_extended=False, approved=True)) == 1
    assert len(rules.validate_extension(10, already_extended=True, approved=False)) == 2


def line(item, applicable, done, note="已处理"):
    return CheckLine(item, applicable, done, note)


def test_closing_check():
    assert rules.closing_check_errors([]) != []
    ok = [line(ClosingItem.SOLVED, True, True), line(ClosingItem.EXPLAINED, False, False, ""),
          line(ClosingItem.HELPED, True, True), line(ClosingItem.HANDLED_BY_LAW, False, False, "")]
    assert rules.closing_check_errors(ok) == []
    pending = [*ok[:2], line(ClosingItem.HELPED, True, False), ok[3]]
    assert any("生活困难" in e for e in rules.closing_check_errors(pending))
    nothing = [line(i, False, False, "") for i in ClosingItem.values]
    assert rules.closing_check_errors(nothing)


def test_repeat_recognition_needs_the_same_person_and_similar_facts():
    old = "光明社区某小区加装电梯，低层业主认为采光受影响，要求补偿。"
    new = "小区加装电梯影响低层采光，要求开发方补偿，请求再次处理。"
    keys = rules.person_keys("李建华", "139 1234 5678", "")
    assert rules.is_repeat(keys, new, rules.person_keys("李建华", "13912345678", ""), old) is not None
    assert rules.is_repeat(keys, new, rules.person_keys("王芳", "13800000000", ""), old) is None
    assert rules.is_repeat(keys, "工厂拖欠三个月工资，请求帮助讨薪。", keys, old) is None
