"""Rules of people's mediation as plain data and functions (LEGAL.md, MISSION §8).

Each part of the mediation app appends its own section; services read these, views never decide.
"""

from __future__ import annotations

from calendar import monthrange as _monthrange
from datetime import datetime as _datetime
from datetime import timedelta as _timedelta
from zoneinfo import ZoneInfo as _ZoneInfo

from fengqiao.mediation.models import MediationOutcome as _Outcome
from fengqiao.mediation.models import MeetingMode as _Mode

# --- the mediator's work: mediations, sessions, outcome (fengqiao.mediation.casework) -----------------------

# People's mediation is normally finished within one month (Ministry of Justice rules 2002, LEGAL.md); longer only
# with both parties' consent, recorded with a reason, a few weeks at a time.
MEDIATION_TIME_LIMIT_MONTHS = 1
MEDIATION_EXTENSION_MAX_DAYS = 30
MEDIATION_DUE_SOON = _timedelta(days=5)  # the home page marks a mediation due within this as "due soon"
_LOCAL = _ZoneInfo("Asia/Shanghai")


def mediation_due_at(opened_at: _datetime, months: int = MEDIATION_TIME_LIMIT_MONTHS) -> _datetime:
    """The same time `months` calendar months after `opened_at` (31 Jan + 1 month = 28/29 Feb), local calendar."""
    local = opened_at.astimezone(_LOCAL)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, _monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


# A scheduled time a little in the past is a typing delay, not a session in the past.
SESSION_PAST_GRACE = _timedelta(minutes=10)
# Parties arrive early: a session may be recorded as held from this long before its scheduled time.
SESSION_HOLD_EARLY = _timedelta(hours=1)
# Where a session takes place: in person (and back to back) needs a service point or a place; video needs a link.
SESSION_NEEDS_PLACE = frozenset({_Mode.IN_PERSON, _Mode.BACK_TO_BACK})
SESSION_NEEDS_LINK = frozenset({_Mode.VIDEO})
# Before a session can be marked held: a record (笔录), at least one party present, and in a back-to-back session
# each party present in a numbered separate talk (Attendee.part).
SESSION_HELD_NEEDS_RECORD = True
SESSION_HELD_NEEDS_PARTY = True
SESSION_PARTS_REQUIRED = frozenset({_Mode.BACK_TO_BACK})
PARTY_ATTENDEE_ROLES = frozenset({"applicant", "respondent", "other_party", "agent"})

# The outcome of a mediation: which need a referral route, which need a held session, what the case records.
REFERRAL_REQUIRED = frozenset({_Outcome.NONE})
REFERRAL_ALLOWED = frozenset({_Outcome.NONE, _Outcome.PARTIAL})
OUTCOME_NEEDS_HELD_SESSION = frozenset({_Outcome.AGREEMENT_WRITTEN, _Outcome.AGREEMENT_ORAL, _Outcome.PARTIAL,
                                        _Outcome.NONE})
# The case's outcome (fengqiao.cases.models.Outcome) when the mediation ends; None: the case is not resolved by the
# mediation (withdrawn: the committee returns or resolves the case itself from the case page).
OUTCOME_CASE: dict[str, str | None] = {
    _Outcome.AGREEMENT_WRITTEN: "resolved",
    _Outcome.AGREEMENT_ORAL: "resolved",
    _Outcome.PARTIAL: "partly",
    _Outcome.NONE: "not_resolved",
    _Outcome.WITHDRAWN: None,
}
# A written agreement outcome needs the agreement (fengqiao.mediation.agreements) in effect.
OUTCOME_NEEDS_EFFECTIVE_AGREEMENT = frozenset({_Outcome.AGREEMENT_WRITTEN})
# What a case must be for a committee to open a mediation on it: a dispute (service type), held by the committee,
# in one of these states (dispatched and signed cases are signed for / started by the opening).
MEDIATION_SERVICE_TYPES = frozenset({"mediation"})
MEDIATION_OPENABLE_STATES = frozenset({"dispatched", "signed", "in_progress"})
