"""Pre-aggregated counters of cases (skeleton: filled in by the tallies work).

The services call `snapshot(case)` before they change a case and `case_changed(before, case)` after they have
saved it, in the same transaction; `case_changed(None, case)` for a new case.
"""

from __future__ import annotations

from typing import Any


def snapshot(case) -> Any:
    return None


def case_changed(before: Any, case) -> None:
    return None
