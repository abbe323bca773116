"""The rules of personal information, as plain functions over plain values (tested without a database)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_noop

from fengqiao.privacy.policy import REQUEST_OUTER_LIMIT_DAYS, REQUEST_WORKING_DAYS, RETENTION_DEFAULTS
from fengqiao.sla.deadlines import add_working_days

# --- retention ---------------------------------------------------------------------------------------------------


def retention_months(kind: str, service_type: str = "", table: Mapping[tuple[str, str], int] | None = None) -> int:
    """Months a record of `kind` (and service type) is kept after closing: its own rule, else the kind's rule."""
    rules = {**RETENTION_DEFAULTS, **(table or {})}
    if (kind, service_type) in rules:
        return rules[(kind, service_type)]
    return rules[(kind, "")]


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def retention_ends(closed_at: datetime, months: int) -> datetime:
    return add_months(closed_at, months)


def is_past_retention(closed_at: datetime | None, months: int, now: datetime) -> bool:
    return closed_at is not None and retention_ends(closed_at, months) <= now


# --- what stops anonymising a case ---------------------------------------------------------------------------------

# Reasons are message ids (translated when shown; the English text is the id).
OPEN_CASE = gettext_noop("The case is still open: its data is needed to handle it.")
LEGAL_HOLD = gettext_noop("The case is under a legal hold: %(reason)s")
PETITION_OPEN = gettext_noop("A petition on the case is still being handled.")
COURT_PENDING = gettext_noop("An application to the court on the case is still pending.")
ALREADY_DONE = gettext_noop("The data of this case has already been anonymised.")


def anonymise_blockers(*, is_open: bool, holds: list[str], petition_open: bool, court_pending: bool,
                       already: bool) -> list[dict]:
    """Why a case's personal data may not be anonymised now (empty: it may). Each: {"msg": id, "args": {...}}."""
    out: list[dict] = []
    if already:
        out.append({"msg": ALREADY_DONE, "args": {}})
    if is_open:
        out.append({"msg": OPEN_CASE, "args": {}})
    out.extend({"msg": LEGAL_HOLD, "args": {"reason": h}} for h in holds)
    if petition_open:
        out.append({"msg": PETITION_OPEN, "args": {}})
    if court_pending:
        out.append({"msg": COURT_PENDING, "args": {}})
    return out


# --- residents' requests -----------------------------------------------------------------------------------------

RECEIVED, DONE, PARTLY, REFUSED, WITHDRAWN = "received", "done", "partly", "refused", "withdrawn"
TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({DONE, PARTLY, REFUSED, WITHDRAWN}),
    DONE: frozenset(),
    PARTLY: frozenset(),
    REFUSED: frozenset(),
    WITHDRAWN: frozenset(),
}


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def request_due(received_at: datetime, working_days: int = REQUEST_WORKING_DAYS,
                overrides: Mapping[date, bool] | None = None) -> datetime:
    """When the answer is due: `working_days` on the statutory calendar, never later than the outer limit."""
    days = max(1, min(working_days, REQUEST_WORKING_DAYS))
    return min(add_working_days(received_at, days, overrides), received_at + timedelta(days=REQUEST_OUTER_LIMIT_DAYS))


def delete_outcome(anonymised: int, refused: int) -> str:
    """The state a deletion request ends in: done (all), partly (some), refused (none could be deleted)."""
    if refused == 0:
        return DONE
    return PARTLY if anonymised else REFUSED
