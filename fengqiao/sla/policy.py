"""Deadline policy as data: shipped defaults (LEGAL.md) and the lookup the services use.

The defaults below seed the editable DeadlinePolicy table (migration 0002); the
table wins when it has a row. Each entry: (amount, unit, remind before minutes,
escalate after minutes).
"""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.cases.models import Grade
from fengqiao.cases.workflow import Status

# Which step's clock runs in each open state.
STEP_FOR_STATUS: dict[str, str] = {
    Status.SUBMITTED: "review",
    Status.ACCEPTED: "dispatch",
    Status.RETURNED: "dispatch",
    Status.DISPATCHED: "sign",
    Status.SIGNED: "resolve",
    Status.IN_PROGRESS: "resolve",
    Status.ON_HOLD: "resolve",
    Status.RESOLVED: "confirm",
}
# States in which the handling unit owes regular progress updates.
PROGRESS_STATES = frozenset({Status.SIGNED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class Policy:
    amount: int
    unit: str
    remind_before_minutes: int
    escalate_after_minutes: int


P = Policy
DEFAULT_POLICIES: dict[str, dict[str, Policy]] = {
    # Guangming class 1: review ≤ 10 min, accept ≤ 30 min, progress at least hourly, same-day basic resolution.
    Grade.RED: {
        "review": P(10, "minutes", 3, 10),
        "dispatch": P(30, "minutes", 10, 15),
        "sign": P(30, "minutes", 10, 15),
        "resolve": P(24, "hours", 120, 60),
        "confirm": P(2, "working_days", 240, 480),
        "progress": P(1, "hours", 15, 30),
    },
    Grade.YELLOW: {
        "review": P(30, "minutes", 10, 30),
        "dispatch": P(2, "hours", 30, 60),
        "sign": P(2, "hours", 30, 60),
        "resolve": P(7, "working_days", 480, 480),
        "confirm": P(3, "working_days", 480, 1440),
        "progress": P(24, "hours", 120, 240),
    },
    # Hotline general matters: feedback within 7 days, complex ones 15 working days (LEGAL.md, "verify").
    Grade.GREEN: {
        "review": P(2, "hours", 30, 120),
        "dispatch": P(4, "hours", 60, 240),
        "sign": P(24, "hours", 120, 480),
        "resolve": P(15, "working_days", 1440, 1440),
        "confirm": P(5, "working_days", 1440, 1440),
        "progress": P(72, "hours", 240, 480),
    },
}


def policy_for(grade: str, step: str) -> Policy:
    """The policy in force: the administrator's row when there is one, else the shipped default."""
    from fengqiao.sla.models import DeadlinePolicy

    row = DeadlinePolicy.objects.filter(grade=grade, step=step).first()
    if row is not None:
        return Policy(row.amount, row.unit, row.remind_before_minutes, row.escalate_after_minutes)
    return DEFAULT_POLICIES[grade][step]
