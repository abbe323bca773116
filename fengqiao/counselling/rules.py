"""The rules of the psychological service, as plain data and functions (LEGAL.md "Personal information").

- Who reads the records: the counsellor, and users holding a live grant from them (not revoked, not expired).
  Nobody else — a case's holders, leaders, the auditor and the administrator included: the auditor sees the
  access log of an engagement only through its counsellor, never the records.
- Who may be granted: someone other than the counsellor, with an active staff membership, for a stated reason,
  until a time between now and `GRANT_MAX_DAYS` ahead.
- Which risk levels follow the crisis protocol: high and crisis tell the counsellor's unit leader (without any
  of the records' contents) and need a crisis protocol note.
- Who may be a counsellor on a case: a psychologist (mediator profile of that kind) on a psychological-service
  case they can see, or the psychologist of a mediation team working the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fengqiao.counselling.models import RiskLevel

GRANT_MAX_DAYS = 90
GRANT_DEFAULT_DAYS = 30
DURATION_MIN, DURATION_MAX = 5, 480
ALERT_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.CRISIS})
RISK_ORDER = [RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRISIS]


class Basis(StrEnum):
    """Why a reader may read: they are the counsellor, or they hold a live grant."""

    COUNSELLOR = "counsellor"
    GRANT = "grant"


@dataclass(frozen=True)
class GrantView:
    """What the rule needs to know of a grant."""

    user_id: int
    expires_at: datetime
    revoked_at: datetime | None


def grant_is_live(grant: GrantView, now: datetime) -> bool:
    return grant.revoked_at is None and now < grant.expires_at


def read_basis(user_id: int | None, *, counsellor_id: int, grants: list[GrantView], now: datetime) -> Basis | None:
    """On what ground `user_id` reads the records of an engagement, or None: no ground, no read."""
    if user_id is None:
        return None
    if user_id == counsellor_id:
        return Basis.COUNSELLOR
    if any(g.user_id == user_id and grant_is_live(g, now) for g in grants):
        return Basis.GRANT
    return None


def grant_window_error(expires_at: datetime, now: datetime) -> str | None:
    """Why `expires_at` is no good for a new grant ("" when fine): the msgid to translate."""
    if expires_at <= now:
        return "past"
    if expires_at > now + timedelta(days=GRANT_MAX_DAYS, hours=1):
        return "too_far"
    return None


def alerts_leader(level: str) -> bool:
    return level in ALERT_LEVELS


def needs_crisis_note(level: str) -> bool:
    return level in ALERT_LEVELS
