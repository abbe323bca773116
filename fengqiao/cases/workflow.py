"""The case lifecycle: states, actions and the one transition table (MISSION §6).

发现 → 受理 → 分拨 → 处置 → 化解 → 确认 → 反馈. Plain data and functions; the
services in fengqiao.cases.services are the only callers that change a case,
and they ask `transition()` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
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
    # Steps of the procedures that run beside the lifecycle (mediation, the legal routes, petitions): each is
    # recorded by its own domain service (fengqiao.mediation, .legal, .petitions), which checks who may take it;
    # `data["step"]` names the step, `data["public"]` the words the resident sees (none: staff only).
    MEDIATE = "mediate", _("Mediation")
    LEGAL = "legal", _("Legal route")
    PETITION = "petition", _("Petition procedure")
    COMMAND = "command", _("Command to departments")  # 发令报到 (fengqiao.commands)


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


StrOrPromise = str | Promise


class ReasonRule(StrEnum):
    """Whether an action takes a reason (a note on the timeline), and when it must be given."""

    NEVER = "never"
    OPTIONAL = "optional"
    REQUIRED = "required"
    REQUIRED_WHEN_REFUSED = "required_when_refused"  # a decision (approve=False) must say why


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None
    reason: ReasonRule = ReasonRule.NEVER


R = ReasonRule


TRANSITIONS: dict[str, Move] = {
    Action.ACCEPT: Move(frozenset({S.SUBMITTED}), S.ACCEPTED),
    Action.REJECT: Move(frozenset({S.SUBMITTED}), S.REJECTED, reason=R.REQUIRED),
    Action.MERGE: Move(frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED),
    Action.DISPATCH: Move(frozenset({S.ACCEPTED}), S.DISPATCHED),
    Action.REDISPATCH: Move(frozenset({S.DISPATCHED, S.RETURNED, S.SIGNED, S.IN_PROGRESS}), S.DISPATCHED,
                            reason=R.REQUIRED),
    Action.RETURN: Move(frozenset({S.DISPATCHED, S.SIGNED}), S.RETURNED, reason=R.REQUIRED),
    Action.RETURN_REFUSE: Move(frozenset({S.RETURNED}), S.DISPATCHED, reason=R.REQUIRED),
    Action.SIGN: Move(frozenset({S.DISPATCHED}), S.SIGNED),
    Action.START: Move(frozenset({S.SIGNED}), S.IN_PROGRESS),
    Action.PROGRESS: Move(frozenset({S.SIGNED, S.IN_PROGRESS}), S.IN_PROGRESS, reason=R.REQUIRED),
    Action.EXTENSION_REQUEST: Move(WORKING_STATES, SAME, reason=R.REQUIRED),
    Action.EXTENSION_DECIDE: Move(WORKING_STATES | {S.ON_HOLD}, SAME, reason=R.REQUIRED_WHEN_REFUSED),
    Action.ESCALATE: Move(frozenset({S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS}), S.ACCEPTED,
                          reason=R.REQUIRED),
    Action.SUPERVISE: Move(ANY_OPEN, SAME, reason=R.REQUIRED),
    Action.HOLD: Move(WORKING_STATES, S.ON_HOLD, reason=R.REQUIRED),
    Action.RESUME: Move(frozenset({S.ON_HOLD}), SAME),
    Action.WITHDRAW: Move(ANY_OPEN - {S.RESOLVED}, S.WITHDRAWN, reason=R.OPTIONAL),
    Action.RESOLVE: Move(WORKING_STATES, S.RESOLVED, reason=R.REQUIRED),
    Action.CONFIRM: Move(frozenset({S.RESOLVED}), S.CONFIRMED),
    Action.REOPEN: Move(frozenset({S.RESOLVED}), S.IN_PROGRESS, reason=R.REQUIRED),
    Action.CLOSE: Move(frozenset({S.CONFIRMED}), S.CLOSED),
    Action.ASSIGN: Move(ANY_OPEN, SAME),
    Action.ASSIST: Move(frozenset({S.DISPATCHED, S.SIGNED, S.IN_PROGRESS}), SAME),
    Action.NOTE: Move(ANY_OPEN | TERMINAL_STATES | {S.CONFIRMED}, SAME, reason=R.REQUIRED),
    Action.PII_REVEAL: Move(frozenset(Status.values), SAME, reason=R.OPTIONAL),
    Action.REGRADE: Move(ANY_OPEN, SAME, reason=R.REQUIRED),
    # Recorded by the deadline sweep (the platform is the actor); they change no state.
    Action.DEADLINE_REMINDER: Move(ANY_OPEN, SAME),
    Action.DEADLINE_OVERDUE: Move(ANY_OPEN, SAME),
    Action.DEADLINE_ESCALATED: Move(ANY_OPEN, SAME),
}
SYSTEM_ACTIONS = frozenset({Action.DEADLINE_REMINDER, Action.DEADLINE_OVERDUE, Action.DEADLINE_ESCALATED})
# Procedure steps: allowed in every state (a judicial confirmation runs after the case is closed), change no state,
# and are only ever recorded by the procedure's own service (`cases.services.case_record_step`), never by the
# generic action form: they have no entry in `cases.permissions.ACTION_CAPABILITY`.
STEP_ACTIONS = frozenset({Action.MEDIATE, Action.LEGAL, Action.PETITION, Action.COMMAND})
for _step in (Action.MEDIATE, Action.LEGAL, Action.PETITION, Action.COMMAND):  # a fixed order: the CHECK in the migrations
    TRANSITIONS[_step] = Move(frozenset(Status.values), SAME, reason=R.OPTIONAL)


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


# What the actor is told when a required reason is missing (the form says the same before the service would).
REASON_MISSING: dict[str, StrOrPromise] = {
    Action.REDISPATCH: _("Say why the case goes to another unit."),
    Action.PROGRESS: _("Write what was done."),
    Action.RESOLVE: _("Describe the result for the resident."),
    Action.NOTE: _("The note is empty."),
    Action.EXTENSION_DECIDE: _("Say why the extension is refused."),
}
REASON_MISSING_DEFAULT = _("A reason is required for this action.")


def reason_rule(action: str) -> ReasonRule:
    """Whether `action` takes a reason at all (the form shows the box unless NEVER)."""
    move = TRANSITIONS.get(action)
    return move.reason if move else ReasonRule.NEVER


def reason_required(action: str, *, approve: bool | None = None) -> bool:
    """Whether `action` must come with a reason; a decision needs one when it refuses (approve=False)."""
    rule = reason_rule(action)
    return rule == ReasonRule.REQUIRED or (rule == ReasonRule.REQUIRED_WHEN_REFUSED and approve is False)


def reason_missing(action: str, reason: str, *, approve: bool | None = None) -> str | None:
    """The message for a required reason left empty, or None when the reason is fine."""
    if reason_required(action, approve=approve) and not (reason or "").strip():
        return str(REASON_MISSING.get(action, REASON_MISSING_DEFAULT))
    return None

