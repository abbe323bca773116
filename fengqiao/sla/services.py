"""Open, pause, extend and close the deadlines of a case as it moves (called by the case services)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fengqiao.cases.models import Case
from fengqiao.cases.workflow import Status
from fengqiao.sla.deadlines import due_at
from fengqiao.sla.models import CalendarOverride, Deadline, DeadlineState
from fengqiao.sla.policy import PROGRESS_STATES, STEP_FOR_STATUS, policy_for

RUNNING = (DeadlineState.OPEN, DeadlineState.PAUSED)


def calendar_overrides() -> dict[date, bool]:
    return dict(CalendarOverride.objects.values_list("day", "is_working"))


def _open(case: Case, step: str, start: datetime) -> Deadline:
    policy = policy_for(case.grade, step)
    due = due_at(start, policy.amount, policy.unit, calendar_overrides())
    return Deadline.objects.create(
        case=case,
        step=step,
        started_at=start,
        due_at=due,
        remind_at=due - timedelta(minutes=policy.remind_before_minutes),
        escalate_at=due + timedelta(minutes=policy.escalate_after_minutes),
    )


def _close(deadline: Deadline, at: datetime, *, cancelled: bool = False) -> None:
    if cancelled:
        deadline.state = DeadlineState.CANCELLED
    else:
        deadline.state = DeadlineState.MET if at <= deadline.due_at else DeadlineState.MISSED
    deadline.closed_at = at
    deadline.save(update_fields=["state", "closed_at"])


CANCELLING_STATES = frozenset({Status.WITHDRAWN, Status.MERGED})


def deadlines_follow(
    case: Case, *, before: str, after: str, at: datetime, restart: bool = False, progress_reported: bool = False
) -> None:
    """Bring the case's clocks in line with a move from `before` to `after` at `at`.

    - the step clock of the old state stops (met or missed) when the new state runs
      another step, or when `restart` says the step begins anew (a re-dispatch gives
      the new unit its own clock); withdrawal and merging cancel the clocks;
    - holding pauses the resolve clock and resuming restarts it with the time that was left;
    - in working states a progress clock runs and restarts at each progress note.
    Then Case.due_at is set to the earliest running deadline.
    """
    running = {d.step: d for d in Deadline.objects.filter(case=case, state__in=RUNNING)}
    old_step, new_step = STEP_FOR_STATUS.get(before), STEP_FOR_STATUS.get(after)

    if after in CANCELLING_STATES:
        for d in running.values():
            _close(d, at, cancelled=True)
        running.clear()
    elif after == Status.ON_HOLD and "resolve" in running:
        d = running["resolve"]
        d.state = DeadlineState.PAUSED
        d.paused_seconds_left = max(0, int((d.due_at - at).total_seconds()))
        d.save(update_fields=["state", "paused_seconds_left"])
    elif before == Status.ON_HOLD and "resolve" in running:
        d = running["resolve"]
        shift = at + timedelta(seconds=d.paused_seconds_left or 0) - d.due_at
        d.state, d.paused_seconds_left = DeadlineState.OPEN, None
        d.due_at, d.remind_at, d.escalate_at = d.due_at + shift, d.remind_at + shift, d.escalate_at + shift
        d.save(update_fields=["state", "paused_seconds_left", "due_at", "remind_at", "escalate_at"])
    else:
        if old_step in running and (old_step != new_step or restart):
            _close(running.pop(old_step), at)
        if new_step and new_step not in running:
            running[new_step] = _open(case, new_step, at)

    progress = running.get("progress")
    if after in PROGRESS_STATES:
        if progress is not None and (progress_reported or restart):
            _close(progress, at)
            progress = None
        if progress is None:
            running["progress"] = _open(case, "progress", at)
    elif progress is not None:
        _close(progress, at, cancelled=after == Status.ON_HOLD or after in CANCELLING_STATES)
        running.pop("progress")

    open_dues = [d.due_at for d in running.values() if d.state == DeadlineState.OPEN]
    case.due_at = min(open_dues) if open_dues else None
    Case.objects.filter(pk=case.pk).update(due_at=case.due_at)


def deadline_extend(case: Case, *, days: int) -> None:
    """An approved extension moves the resolve clock by `days` calendar days."""
    for d in Deadline.objects.filter(case=case, step="resolve", state__in=RUNNING):
        shift = timedelta(days=days)
        d.due_at, d.remind_at, d.escalate_at = d.due_at + shift, d.remind_at + shift, d.escalate_at + shift
        d.extended_days += days
        d.save(update_fields=["due_at", "remind_at", "escalate_at", "extended_days"])
    refresh_case_due(case)


def deadlines_regrade(case: Case) -> None:
    """A new grade re-times the running clocks from when each started."""
    overrides = calendar_overrides()
    for d in Deadline.objects.filter(case=case, state=DeadlineState.OPEN):
        policy = policy_for(case.grade, d.step)
        d.due_at = due_at(d.started_at, policy.amount, policy.unit, overrides) + timedelta(days=d.extended_days)
        d.remind_at = d.due_at - timedelta(minutes=policy.remind_before_minutes)
        d.escalate_at = d.due_at + timedelta(minutes=policy.escalate_after_minutes)
        d.save(update_fields=["due_at", "remind_at", "escalate_at"])
    refresh_case_due(case)


def refresh_case_due(case: Case) -> None:
    first = Deadline.objects.filter(case=case, state=DeadlineState.OPEN).order_by("due_at").first()
    case.due_at = first.due_at if first else None
    Case.objects.filter(pk=case.pk).update(due_at=case.due_at)
