"""Default time limits per grade and step (LEGAL.md); the editable policy table starts from these.

A limit is (amount, unit) where unit is "minutes", "hours" (on the clock) or
"working_days" (on the Chinese statutory calendar, see fengqiao.sla.deadlines).
"""

from __future__ import annotations

from fengqiao.cases.models import Grade
from fengqiao.cases.workflow import Status

Limit = tuple[int, str]

# Which step's clock runs in each open state.
STEP_FOR_STATUS: dict[str, str] = {
    Status.SUBMITTED: "review",
    Status.ACCEPTED: "dispatch",
    Status.RETURNED: "dispatch",
    Status.DISPATCHED: "sign",
    Status.SIGNED: "resolve",
    Status.IN_PROGRESS: "resolve",
    Status.RESOLVED: "confirm",
}

DEFAULT_LIMITS: dict[str, dict[str, Limit]] = {
    # Guangming model, class 1: review ≤ 10 min, accept ≤ 30 min, same-day basic resolution.
    Grade.RED: {
        "review": (10, "minutes"),
        "dispatch": (30, "minutes"),
        "sign": (30, "minutes"),
        "resolve": (24, "hours"),
        "confirm": (2, "working_days"),
        "progress": (1, "hours"),
    },
    Grade.YELLOW: {
        "review": (30, "minutes"),
        "dispatch": (2, "hours"),
        "sign": (2, "hours"),
        "resolve": (7, "working_days"),
        "confirm": (3, "working_days"),
        "progress": (24, "hours"),
    },
    Grade.GREEN: {
        "review": (2, "hours"),
        "dispatch": (4, "hours"),
        "sign": (24, "hours"),
        "resolve": (15, "working_days"),
        "confirm": (5, "working_days"),
        "progress": (72, "hours"),
    },
}
