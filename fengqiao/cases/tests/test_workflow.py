"""The transition table: as plain data, and as enforced on stored cases by the services."""

from __future__ import annotations

from collections import deque

import pytest
from django.utils import translation

from fengqiao.cases import services as cs
from fengqiao.cases.models import Assignment, Case, CaseEvent
from fengqiao.cases.workflow import (
    OPEN_STATES,
    STEP_ACTIONS,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    ReasonRule,
    Status,
    TransitionError,
    allowed_actions,
    reason_missing,
    reason_rule,
    transition,
)

# --- the table as data ----------------------------------------------------------------


def test_every_action_but_submit_is_in_the_table():
    assert set(TRANSITIONS) == set(Action) - {Action.SUBMIT}


def test_every_state_is_open_terminal_or_confirmed():
    assert OPEN_STATES | TERMINAL_STATES | {Status.CONFIRMED} == set(Status)
    assert not OPEN_STATES & TERMINAL_STATES


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("status", sorted(Status))
def test_transition_follows_the_table(action, status):
    move = TRANSITIONS[action]
    if status not in move.sources:
        with pytest.raises(TransitionError) as exc:
            transition(action, status, held_from=Status.SIGNED)
        assert (exc.value.action, exc.value.status) == (action, status)
        assert action not in allowed_actions(status)
        return
    assert action in allowed_actions(status)
    result = transition(action, status, held_from=Status.SIGNED)
    if action == Action.RESUME:
        assert result == Status.SIGNED
    elif move.target is None:
        assert result == status
    else:
        assert result == move.target


def test_resume_without_a_known_state_goes_back_to_work():
    assert transition(Action.RESUME, Status.ON_HOLD) == Status.IN_PROGRESS


def test_unknown_action_is_refused():
    with pytest.raises(TransitionError):
        transition("teleport", Status.SUBMITTED)


def test_reasons_are_required_exactly_where_the_rules_say():
    assert {a for a in Action if reason_rule(a) == ReasonRule.REQUIRED} == {
        Action.REJECT,
        Action.REDISPATCH,
        Action.RETURN,
        Action.RETURN_REFUSE,
        Action.PROGRESS,
        Action.EXTENSION_REQUEST,
        Action.ESCALATE,
        Action.SUPERVISE,
        Action.HOLD,
        Action.RESOLVE,
        Action.REOPEN,
        Action.NOTE,
        Action.REGRADE,
    }
    assert {a for a in Action if reason_rule(a) == ReasonRule.OPTIONAL} == {Action.WITHDRAW, Action.PII_REVEAL,
                                                                            *STEP_ACTIONS}
    assert {a for a in Action if reason_rule(a) == ReasonRule.REQUIRED_WHEN_REFUSED} == {Action.EXTENSION_DECIDE}


@translation.override("en")
def test_a_decision_needs_a_reason_only_when_it_refuses():
    assert reason_missing(Action.EXTENSION_DECIDE, "", approve=True) is None
    assert reason_missing(Action.EXTENSION_DECIDE, "  ", approve=False) == "Say why the extension is refused."
    assert reason_missing(Action.EXTENSION_DECIDE, "人手不足不是理由", approve=False) is None
    assert reason_missing(Action.ACCEPT, "") is None
    assert reason_missing(Action.HOLD, "") == "A reason is required for this action."


def test_terminal_states_only_take_notes_reveals_and_procedure_steps():
    for status in TERMINAL_STATES:
        assert set(allowed_actions(status)) == {Action.NOTE, Action.PII_REVEAL, *STEP_ACTIONS}


def test_every_open_state_can_reach_closed():
    """No dead ends: from every open state some path leads to CLOSED (ignoring RESUME's memory)."""
    graph: dict[str, set[str]] = {s: set() for s in Status}
    for action, move in TRANSITIONS.items():
        for source in move.sources:
            graph[source].add(Status.IN_PROGRESS if action == Action.RESUME else (move.target or source))
    for start in OPEN_STATES | {Status.CONFIRMED}:
        seen, todo = {start}, deque([start])
        while todo:
            for nxt in graph[todo.popleft()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        assert Status.CLOSED in seen, start


# --- the table as enforced on stored cases ------------------------------------------------


def walk_to(status: str, case: Case, *, org, other: Case) -> Case:
    """Bring a fresh case to `status` through the services, acting as the platform (actor None)."""
    sys = {"actor": None}
    if status == Status.SUBMITTED:
        return case
    if status == Status.REJECTED:
        return cs.case_reject(case=case, reason="不属于受理范围", **sys)
    if status == Status.WITHDRAWN:
        return cs.case_withdraw(case=case, reason="群众撤回", **sys)
    if status == Status.MERGED:
        return cs._act(case, action=Action.MERGE, changes={"merged_into": other}, **sys)
    cs.case_accept(case=case, **sys)
    if status == Status.ACCEPTED:
        return case
    cs.case_dispatch(case=case, unit=org.hr, **sys)
    if status == Status.DISPATCHED:
        return case
    if status == Status.RETURNED:
        return cs.case_return(case=case, reason="非本单位职责", **sys)
    cs.case_sign(case=case, **sys)
    if status == Status.SIGNED:
        return case
    cs.case_start(case=case, **sys)
    if status == Status.IN_PROGRESS:
        return case
    if status == Status.ON_HOLD:
        return cs.case_hold(case=case, reason="等待材料", **sys)
    cs.case_resolve(case=case, outcome="resolved", note="已处理", **sys)
    if status == Status.RESOLVED:
        return case
    cs.case_confirm(case=case, satisfaction="satisfied", **sys)
    if status == Status.CONFIRMED:
        return case
    return cs.case_close(case=case, **sys)


def snapshot(case: Case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {
        "row": {f.attname: getattr(fresh, f.attname) for f in Case._meta.concrete_fields},
        "events": list(CaseEvent.objects.filter(case=case).values_list("seq", "action")),
        "assignments": list(Assignment.objects.filter(case=case).values_list("unit_id", "role", "is_active")),
    }


# The public services, for the actions that have one (called with valid arguments).
SERVICES = {
    Action.ACCEPT: lambda case: cs.case_accept(case=case, actor=None),
    Action.REJECT: lambda case: cs.case_reject(case=case, actor=None, reason="理由"),
    Action.SIGN: lambda case: cs.case_sign(case=case, actor=None),
    Action.START: lambda case: cs.case_start(case=case, actor=None),
    Action.PROGRESS: lambda case: cs.case_progress(case=case, actor=None, note="进展"),
    Action.RETURN: lambda case: cs.case_return(case=case, actor=None, reason="理由"),
    Action.ESCALATE: lambda case: cs.case_escalate(case=case, actor=None, reason="理由"),
    Action.SUPERVISE: lambda case: cs.case_supervise(case=case, actor=None, reason="理由"),
    Action.HOLD: lambda case: cs.case_hold(case=case, actor=None, reason="理由"),
    Action.RESUME: lambda case: cs.case_resume(case=case, actor=None),
    Action.WITHDRAW: lambda case: cs.case_withdraw(case=case, actor=None, reason="理由"),
    Action.RESOLVE: lambda case: cs.case_resolve(case=case, actor=None, outcome="resolved", note="结果"),
    Action.CONFIRM: lambda case: cs.case_confirm(case=case, actor=None, satisfaction="satisfied"),
    Action.REOPEN: lambda case: cs.case_reopen(case=case, actor=None, reason="理由"),
    Action.CLOSE: lambda case: cs.case_close(case=case, actor=None),
}

ALL_STATES = sorted(Status)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ALL_STATES)
def test_disallowed_actions_raise_and_leave_the_case_unchanged(status, org, make_case):
    case = walk_to(status, make_case(), org=org, other=make_case())
    assert Case.objects.get(pk=case.pk).status == status
    before = snapshot(case)
    refused = [action for action in TRANSITIONS if status not in TRANSITIONS[action].sources]
    assert refused or status == Status.IN_PROGRESS  # every state but the busiest refuses something
    for action in refused:
        with pytest.raises(TransitionError):
            cs._act(case, action=action, actor=None, reason="理由")
        if action in SERVICES:
            with pytest.raises(TransitionError):
                SERVICES[action](case)
        assert snapshot(case) == before, action
        assert case.status == status, action  # the caller's object is untouched too


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.DISPATCHED, Status.RETURNED, Status.SIGNED, Status.IN_PROGRESS])
def test_redispatch_is_allowed_from_work_states_and_needs_a_note(status, org, make_case):
    case = walk_to(status, make_case(), org=org, other=make_case())
    before = snapshot(case)
    with pytest.raises(cs.ValidationError):
        cs.case_dispatch(case=case, actor=None, unit=org.housing)
    assert snapshot(case) == before
    cs.case_dispatch(case=case, actor=None, unit=org.housing, note="改派")
    assert (case.status, case.holder_unit_id) == (Status.DISPATCHED, org.housing.pk)
    assert list(Assignment.objects.filter(case=case, is_active=True).values_list("unit_id", flat=True)) == [
        org.housing.pk
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("held_from", [Status.SIGNED, Status.IN_PROGRESS])
def test_hold_and_resume_return_to_where_the_case_was(held_from, org, make_case):
    case = walk_to(held_from, make_case(), org=org, other=make_case())
    cs.case_hold(case=case, actor=None, reason="等待鉴定结果")
    assert (case.status, case.held_from) == (Status.ON_HOLD, held_from)
    assert case.due_at is None  # no step clock runs while on hold
    cs.case_resume(case=case, actor=None)
    assert (case.status, case.held_from) == (held_from, "")
    assert case.due_at is not None


@pytest.mark.django_db
def test_ending_states_record_when_the_case_ended(org, make_case):
    for status in (Status.REJECTED, Status.WITHDRAWN, Status.MERGED, Status.CLOSED):
        case = walk_to(status, make_case(), org=org, other=make_case())
        assert Case.objects.get(pk=case.pk).closed_at is not None, status
    open_case = walk_to(Status.RESOLVED, make_case(), org=org, other=make_case())
    assert Case.objects.get(pk=open_case.pk).closed_at is None
