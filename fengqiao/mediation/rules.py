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


# --- the agreement (人民调解协议书) and its follow-up visits (fengqiao.mediation.agreements) -----------------------

# Number: "光明调字〔2026〕第0001号", counted per committee and year. The committee's short name drops the
# "人民调解委员会" and the place level ("光明街道人民调解委员会" → "光明").
_COMMITTEE_SUFFIXES = ("人民调解委员会", "调解委员会", "委员会")
_PLACE_SUFFIXES = ("街道", "社区", "镇", "乡", "区", "市")


def agreement_number_prefix(committee_name: str) -> str:
    name = committee_name.strip()
    for suffix in _COMMITTEE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    for suffix in _PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    return name or "人民"


def agreement_number_head(prefix: str, year: int) -> str:
    return f"{prefix}调字〔{year}〕第"


def agreement_number(prefix: str, year: int, seq: int) -> str:
    return f"{agreement_number_head(prefix, year)}{seq:04d}号"


def agreement_seq_of(number: str) -> int:
    """The running number of "光明调字〔2026〕第0012号" (12); 0 when it does not read as a number."""
    digits = number.rsplit("第", 1)[-1].removesuffix("号")
    return int(digits) if digits.isdigit() else 0


# Art. 29: a written agreement takes effect when every party has signed (signature, seal or fingerprint), the
# mediator has signed and the committee has sealed it; an oral agreement when the mediator records that the
# parties agreed (the mediator's record stands for the mediator's signature).
def agreement_takes_effect(*, form: str, parties_signed: list[bool], mediator_signed: bool, sealed: bool) -> bool:
    if form == "oral":
        return mediator_signed
    return bool(parties_signed) and all(parties_signed) and mediator_signed and sealed


AGREEMENT_EDITABLE_STATES = frozenset({"draft"})  # once anyone has signed, the text is fixed
AGREEMENT_SIGNABLE_STATES = frozenset({"draft", "signing"})
AGREEMENT_VOIDABLE_STATES = frozenset({"draft", "signing", "effective"})
# Drawing up an agreement: on an open mediation, or one concluded with an agreement.
AGREEMENT_MEDIATION_OUTCOMES = frozenset({"", _Outcome.AGREEMENT_WRITTEN, _Outcome.AGREEMENT_ORAL, _Outcome.PARTIAL})
AGREEMENT_TERMS_MAX = 30
# What a scanned signed copy may be, by the type its bytes say (as fengqiao.intake.files judges uploads).
AGREEMENT_SCAN_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

# Follow-up visits (回访): a few days after the earliest term falls due, and after the last one if later; with no
# time limit in the terms, a month after the agreement takes effect. A visit that finds the agreement not (fully)
# performed schedules another.
FOLLOWUP_AFTER_DUE = _timedelta(days=3)
FOLLOWUP_WITHOUT_DUE = _timedelta(days=30)
FOLLOWUP_AGAIN = _timedelta(days=15)


def followup_dates(effective_on, term_due_dates) -> list:
    dues = sorted({d for d in term_due_dates if d is not None})
    if not dues:
        return [effective_on + FOLLOWUP_WITHOUT_DUE]
    first = max(dues[0], effective_on) + FOLLOWUP_AFTER_DUE
    last = max(dues[-1], effective_on) + FOLLOWUP_AFTER_DUE
    return [first] if last == first else [first, last]


def followup_again(visited_on, performance: str):
    """The date of a further visit after one that found `performance`, or None when performed."""
    return None if performance == "performed" else visited_on + FOLLOWUP_AGAIN


def sex_from_id(id_type: str, id_number: str) -> str:
    """"男"/"女" from an 18-digit resident identity number (17th digit odd: male), else ""."""
    value = id_number.strip()
    if id_type != "resident_id" or len(value) != 18 or not value[16].isdigit():
        return ""
    return "男" if int(value[16]) % 2 else "女"


# --- the resident's booking of a mediator (fengqiao.mediation.bookings) --------------------------------------

from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date as _date  # noqa: E402
from datetime import datetime as _dt  # noqa: E402
from datetime import time as _time  # noqa: E402
from datetime import timedelta as _td  # noqa: E402
from typing import Protocol  # noqa: E402

from django.utils.translation import gettext  # noqa: E402

from fengqiao.sla.deadlines import LOCAL as _TZ  # noqa: E402
from fengqiao.sla.deadlines import is_working_day  # noqa: E402

BOOKING_DAYS = 14  # a resident books up to this many days ahead (today included)
BOOKING_CHANGE_CUTOFF = _td(hours=2)  # cancel or move until this long before the start
BOOKING_REMIND_AT = _time(9, 0)  # the reminder goes out from this hour of the day before
BOOKING_MARK_EARLY = _td(minutes=30)  # the mediator may mark a booking attended from this long before it
RATING_STARS = range(1, 6)


class HoursLike(Protocol):
    """One row of a mediator's hours (MediatorHours or a plain stand-in)."""

    weekday: int
    start: _time
    end: _time
    slot_minutes: int
    service_point_id: int | None


@dataclass(frozen=True)
class Slot:
    starts_at: _dt
    ends_at: _dt
    service_point_id: int | None


def _overlaps(start: _dt, end: _dt, taken: Iterable[tuple[_dt, _dt]]) -> bool:
    return any(t_start < end and start < t_end for t_start, t_end in taken)


def day_slots(hours: Iterable[HoursLike], day: _date) -> list[Slot]:
    """Every slot of `day` on the mediator's grid (no calendar, no bookings): each hours row cut into slots."""
    slots = []
    for row in hours:
        if row.weekday != day.weekday() or row.slot_minutes < 1:
            continue
        length = _td(minutes=row.slot_minutes)
        cursor = _dt.combine(day, row.start, tzinfo=_TZ)
        end = _dt.combine(day, row.end, tzinfo=_TZ)
        while cursor + length <= end:
            slots.append(Slot(cursor, cursor + length, row.service_point_id))
            cursor += length
    return sorted(slots, key=lambda s: s.starts_at)


def slots_for(
    hours: Sequence[HoursLike],
    *,
    start: _dt,
    days: int = BOOKING_DAYS,
    taken: Iterable[tuple[_dt, _dt]] = (),
    now: _dt | None = None,
    working_day: Callable[[_date], bool] = is_working_day,
) -> list[Slot]:
    """The free slots of a mediator from `start`'s day for `days` days: their hours on working days (statutory
    holidays off, make-up Saturdays on only where the mediator has Saturday hours), minus the past and minus
    `taken` (the (start, end) of live bookings)."""
    now = now or start
    taken = list(taken)
    first = start.astimezone(_TZ).date()
    free = []
    for offset in range(days):
        day = first + _td(days=offset)
        if not working_day(day):
            continue
        for slot in day_slots(hours, day):
            if slot.starts_at <= now or slot.starts_at < start or _overlaps(slot.starts_at, slot.ends_at, taken):
                continue
            free.append(slot)
    return free


def slot_error(
    hours: Sequence[HoursLike],
    starts_at: _dt,
    *,
    now: _dt,
    taken: Iterable[tuple[_dt, _dt]] = (),
    days: int = BOOKING_DAYS,
    working_day: Callable[[_date], bool] = is_working_day,
) -> str | None:
    """Why `starts_at` cannot be booked (a message for the resident), or None when it is a free slot."""
    local = starts_at.astimezone(_TZ)
    if starts_at <= now:
        return gettext("This time has already passed. Please pick a time from the list.")
    if local.date() >= now.astimezone(_TZ).date() + _td(days=days):
        return gettext("Bookings open %(days)d days ahead. Please pick a time from the list.") % {"days": days}
    if not working_day(local.date()):
        return gettext("The mediator does not receive residents on %(day)s (a rest day or public holiday). "
                        "Please pick another day.") % {"day": local.strftime("%Y-%m-%d")}
    rows = [r for r in hours if r.weekday == local.weekday()]
    if not any(_dt.combine(local.date(), r.start, tzinfo=_TZ) <= local
               < _dt.combine(local.date(), r.end, tzinfo=_TZ) for r in rows):
        return gettext("The mediator does not receive residents at this time. Please pick a time from the list.")
    slot = slot_at(hours, starts_at)
    if slot is None:
        return gettext("Bookings start at the times shown in the list. Please pick one of them.")
    if _overlaps(slot.starts_at, slot.ends_at, taken):
        return taken_message()
    return None


def slot_at(hours: Sequence[HoursLike], starts_at: _dt) -> Slot | None:
    """The slot of the grid that starts exactly at `starts_at`, else None."""
    local = starts_at.astimezone(_TZ)
    return next((s for s in day_slots(hours, local.date()) if s.starts_at == local), None)


def taken_message() -> str:
    return gettext("This time was just taken by someone else. Please pick another time.")


def may_change_booking(starts_at: _dt, now: _dt) -> bool:
    """A resident may cancel or move a booking until BOOKING_CHANGE_CUTOFF before it starts."""
    return now <= starts_at - BOOKING_CHANGE_CUTOFF


def remind_from(starts_at: _dt) -> _dt:
    """When the reminder of a booking is due: BOOKING_REMIND_AT on the day before it (local time)."""
    day_before = starts_at.astimezone(_TZ).date() - _td(days=1)
    return _dt.combine(day_before, BOOKING_REMIND_AT, tzinfo=_TZ)


def needs_reminder(*, starts_at: _dt, created_at: _dt, now: _dt) -> bool:
    """A reminder is due from the day before until the start, unless the booking was made after it was due (the
    confirmation has just told the resident)."""
    due = remind_from(starts_at)
    return due <= now < starts_at and created_at < due


def may_mark_booking(starts_at: _dt, now: _dt) -> bool:
    """The mediator records whether the resident came once the session has (nearly) begun."""
    return now >= starts_at - BOOKING_MARK_EARLY
