"""The case lifecycle: states, actions and the one transition table (MISSION §6).

发现 → 受理 → 分拨 → 处置 → 化解 → 确认 → 反馈. Plain data and functions; the
services in fengqiao.cases.services are the only callers that change a case,
and they ask `transition()` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned by unit")
    SIGNED = "signed", _("Signed for")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    MERGE = "merge", _("Merge into another case")
    DISPATCH = "dispatch", _("Dispatch")
    REDISPATCH = "redispatch", _("Re-dispatch")
    RETURN = "return", _("Return (退单)")
    RETURN_REFUSE = "return_refuse", _("Refuse the return")
    SIGN = "sign", _("Sign for")
    START = "start", _("Start work")
    PROGRESS = "progress", _("Progress note")
    EXTENSION_REQUEST = "extension_request", _("Ask for extension")
    EXTENSION_DECIDE = "extension_decide", _("Decide on extension")
    ESCALATE = "escalate", _("Escalate")
    SUPERVISE = "supervise", _("Supervision notice (督办)")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resume")
    WITHDRAW = "withdraw", _("Withdraw")
    RESOLVE = "resolve", _("Record result")
    CONFIRM = "confirm", _("Confirm outcome")
    REOPEN = "reopen", _("Reopen (不满意重办)")
    CLOSE = "close", _("Close")
    ASSIGN = "assign", _("Assign to a person")
    ASSIST = "assist", _("Add assisting unit")
    NOTE = "note", _("Internal note")
    PII_REVEAL = "pii_reveal", _("Reveal personal data")
    REGRADE = "regrade", _("Change grade")
    DEADLINE_REMINDER = "deadline_reminder", _("Deadline reminder")
    DEADLINE_OVERDUE = "deadline_overdue", _("Deadline passed")
    DEADLINE_ESCALATED = "deadline_escalated", _("Overdue: escalated to the supervising unit")


S = Status
OPEN_STATES = frozenset(
    {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.RETURNED, S.SIGNED, S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED}
)
TERMINAL_STATES = frozenset({S.REJECTED, S.MERGED, S.CLOSED, S.WITHDRAWN})
WORKING_STATES = frozenset({S.SIGNED, S.IN_PROGRESS})
ANY_OPEN = OPEN_STATES
# A `None` target keeps the state as it is (notes, supervision, assignment …);
# RESUME is the one move whose target is the state the case was held from.
SAME = None


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None
    needs_reason: bool = False


TRANSITIONS: dict[str, Move] = {
    Action.ACCEPT: Move(frozenset({S.SUBMITTED}), S.ACCEPTED),
    Action.REJECT: Move(frozenset({S.SUBMITTED}), S.REJECTED, needs_reason=True),
    Action.MERGE: Move(frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED),
    Action.DISPATCH: Move(frozenset({S.ACCEPTED}), S.DISPATCHED),
    Action.REDISPATCH: Move(frozenset({S.DISPATCHED, S.RETURNED, S.SIGNED, S.IN_PROGRESS}), S.DISPATCHED),
    Action.RETURN: Move(frozenset({S.DISPATCHED, S.SIGNED}), S.RETURNED, needs_reason=True),
    Action.RETURN_REFUSE: Move(frozenset({S.RETURNED}), S.DISPATCHED, needs_reason=True),
    Action.SIGN: Move(frozenset({S.DISPATCHED}), S.SIGNED),
    Action.START: Move(frozenset({S.SIGNED}), S.IN_PROGRESS),
    Action.PROGRESS: Move(frozenset({S.SIGNED, S.IN_PROGRESS}), S.IN_PROGRESS),
    Action.EXTENSION_REQUEST: Move(WORKING_STATES, SAME, needs_reason=True),
    Action.EXTENSION_DECIDE: Move(WORKING_STATES | {S.ON_HOLD}, SAME),
    Action.ESCALATE: Move(frozenset({S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS}), S.ACCEPTED,
                          needs_reason=True),
    Action.SUPERVISE: Move(ANY_OPEN, SAME, needs_reason=True),
    Action.HOLD: Move(WORKING_STATES, S.ON_HOLD, needs_reason=True),
    Action.RESUME: Move(frozenset({S.ON_HOLD}), SAME),
    Action.WITHDRAW: Move(ANY_OPEN - {S.RESOLVED}, S.WITHDRAWN),
    Action.RESOLVE: Move(WORKING_STATES, S.RESOLVED),
    Action.CONFIRM: Move(frozenset({S.RESOLVED}), S.CONFIRMED),
    Action.REOPEN: Move(frozenset({S.RESOLVED}), S.IN_PROGRESS, needs_reason=True),
    Action.CLOSE: Move(frozenset({S.CONFIRMED}), S.CLOSED),
    Action.ASSIGN: Move(ANY_OPEN, SAME),
    Action.ASSIST: Move(frozenset({S.DISPATCHED, S.SIGNED, S.IN_PROGRESS}), SAME),
    Action.NOTE: Move(ANY_OPEN | TERMINAL_STATES | {S.CONFIRMED}, SAME),
    Action.PII_REVEAL: Move(frozenset(Status.values), SAME),
    Action.REGRADE: Move(ANY_OPEN, SAME, needs_reason=True),
    # Recorded by the deadline sweep (the platform is the actor); they change no state.
    Action.DEADLINE_REMINDER: Move(ANY_OPEN, SAME),
    Action.DEADLINE_OVERDUE: Move(ANY_OPEN, SAME),
    Action.DEADLINE_ESCALATED: Move(ANY_OPEN, SAME),
}
SYSTEM_ACTIONS = frozenset({Action.DEADLINE_REMINDER, Action.DEADLINE_OVERDUE, Action.DEADLINE_ESCALATED})


def transition_constraint():
    """The transition table as a database CHECK on the timeline: every recorded move must be in the table."""
    from django.db.models import F, Q

    allowed = Q(action=Action.SUBMIT, from_status="", to_status=S.SUBMITTED)
    for action, move in TRANSITIONS.items():
        sources = sorted(move.sources)
        if action == Action.RESUME:
            allowed |= Q(action=action, from_status__in=sources, to_status__in=sorted(WORKING_STATES))
        elif move.target is SAME:
            allowed |= Q(action=action, from_status__in=sources, to_status=F("from_status"))
        else:
            allowed |= Q(action=action, from_status__in=sources, to_status=move.target)
    return allowed


class TransitionError(Exception):
    """The action is not allowed in the case's current state."""

    def __init__(self, action: str, status: str):
        self.action, self.status = action, status
        super().__init__(
            _("“%(action)s” is not possible while the case is “%(status)s”.")
            % {
                "action": Action(action).label if action in Action.values else action,
                "status": Status(status).label if status in Status.values else status,
            }
        )


def transition(action: str, status: str, *, held_from: str = "") -> str:
    """The state after `action` from `status`; raises TransitionError when not allowed."""
    move = TRANSITIONS.get(action)
    if move is None or status not in move.sources:
        raise TransitionError(action, status)
    if action == Action.RESUME:
        return held_from or S.IN_PROGRESS
    return status if move.target is SAME else move.target


def allowed_actions(status: str) -> list[str]:
    return [action for action, move in TRANSITIONS.items() if status in move.sources]


def needs_reason(action: str) -> bool:
    move = TRANSITIONS.get(action)
    return bool(move and move.needs_reason)
