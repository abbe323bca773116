"""Rebuild a case's state from its append-only timeline (fengqiao.cases.models.CaseEvent).

`replay(events)` is the check that the timeline tells the whole story: what it
returns must equal the stored case (status, holding unit, times reopened).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fengqiao.cases.workflow import Action


def replay(events: Iterable[Any]) -> dict[str, Any]:
    """Status, holder_unit (id) and reopen_count after `events` (CaseEvent rows, any order)."""
    state: dict[str, Any] = {"status": "", "holder_unit": None, "reopen_count": 0}
    intake_unit: int | None = None  # the centre that took the case in
    dispatcher: int | None = None  # the unit that last dispatched it (a return goes back there)
    for event in sorted(events, key=lambda e: e.seq):
        data = event.data or {}
        if event.action == Action.SUBMIT:
            intake_unit = data.get("holder_unit")
            state["holder_unit"] = intake_unit
        elif "to_unit" in data:  # dispatch, re-dispatch, escalate (and a return that records it)
            state["holder_unit"] = data["to_unit"]
        elif event.action == Action.RETURN:
            state["holder_unit"] = dispatcher or intake_unit
        elif event.action == Action.RETURN_REFUSE:
            state["holder_unit"] = data["unjustified_return_by"]
        if event.action in (Action.DISPATCH, Action.REDISPATCH):
            dispatcher = event.actor_unit_id  # None when the platform itself dispatched
        if event.action == Action.REOPEN:
            state["reopen_count"] += 1
        state["status"] = event.to_status
    return state
