"""The statutory procedure of a formal petition (信访), as data and plain functions (no database).

Source: 信访工作条例 (2022), LEGAL.md. Article numbers are left out on purpose (secondary copies disagree): the
limits are quoted by what they say.

- Intake: the petition office registers the petition and, within 15 days, decides and tells the petitioner whether
  it is accepted and which organ handles it (受理告知). An organ that receives a transferred petition decides within
  15 days of receiving it.
- Handling: ≤ 60 days from acceptance; one extension of ≤ 30 days, approved by the head of the handling organ, the
  petitioner told why.
- Review (复查): the petitioner may ask ≤ 30 days after receiving the written reply; the review organ decides
  ≤ 30 days after the request. Re-review (复核): the same, after the review opinion. Hearing (听证) time is not
  counted in the decision limits. After the re-review, a petition on the same facts and reasons is not accepted again.

How days are counted (natural days, 日, as the regulation writes them): the day of the triggering event is not
counted, the limit ends at the end of its last day (民法典 art. 201). The organ's limits are outer limits and are never
moved. The petitioner's own limits (asking for a review or re-review) end on the next working day when their last
day is a statutory rest day (民法典 art. 203), on the working calendar of `fengqiao.sla.deadlines`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.sla.deadlines import is_working_day


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    TRANSFERRED = "transferred", _("Transferred to another organ")
    HANDLING = "handling", _("Being handled")
    REPLIED = "replied", _("Replied")
    REVIEW_REQUESTED = "review_requested", _("Review requested")
    REVIEW_DECIDED = "review_decided", _("Review decided")
    RE_REVIEW_REQUESTED = "re_review_requested", _("Re-review requested")
    RE_REVIEW_DECIDED = "re_review_decided", _("Re-review decided")
    CLOSED = "closed", _("Closed")


class Move(models.TextChoices):
    ACCEPT = "accept", _("Accept and name the handling organ")
    NOT_ACCEPT = "not_accept", _("Do not accept")
    TRANSFER = "transfer", _("Transfer to another organ")
    START = "start", _("Start handling")
    EXTEND = "extend", _("Extend the handling time")
    REPLY = "reply", _("Issue the written reply")
    REQUEST_REVIEW = "request_review", _("Record a request for review")
    HEARING_START = "hearing_start", _("Hearing started")
    HEARING_END = "hearing_end", _("Hearing ended")
    DECIDE_REVIEW = "decide_review", _("Record the review opinion")
    REQUEST_RE_REVIEW = "request_re_review", _("Record a request for re-review")
    DECIDE_RE_REVIEW = "decide_re_review", _("Record the re-review opinion")
    CLOSING_CHECK = "closing_check", _("Closing check (三到位一处理)")
    CLOSE = "close", _("Close the petition")
    LINK_REPEAT = "link_repeat", _("Link to an earlier re-reviewed petition")
    UNLINK_REPEAT = "unlink_repeat", _("Not the same facts: remove the link")


S = State
DECIDING = frozenset({S.REGISTERED, S.TRANSFERRED})
HANDLING_STATES = frozenset({S.ACCEPTED, S.HANDLING})
CLOSABLE = frozenset({S.REPLIED, S.REVIEW_DECIDED, S.RE_REVIEW_DECIDED})
HEARING_STATES = frozenset({S.REVIEW_REQUESTED, S.RE_REVIEW_REQUESTED})

# move -> (states it may start from, state it leads to; None = stays)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Move.ACCEPT: (DECIDING, S.ACCEPTED),
    Move.NOT_ACCEPT: (DECIDING, S.NOT_ACCEPTED),
    Move.TRANSFER: (frozenset({S.REGISTERED}), S.TRANSFERRED),
    Move.START: (frozenset({S.ACCEPTED}), S.HANDLING),
    Move.EXTEND: (HANDLING_STATES, None),
    Move.REPLY: (HANDLING_STATES, S.REPLIED),
    Move.REQUEST_REVIEW: (frozenset({S.REPLIED}), S.REVIEW_REQUESTED),
    Move.HEARING_START: (HEARING_STATES, None),
    Move.HEARING_END: (HEARING_STATES, None),
    Move.DECIDE_REVIEW: (frozenset({S.REVIEW_REQUESTED}), S.REVIEW_DECIDED),
    Move.REQUEST_RE_REVIEW: (frozenset({S.REVIEW_DECIDED}), S.RE_REVIEW_REQUESTED),
    Move.DECIDE_RE_REVIEW: (frozenset({S.RE_REVIEW_REQUESTED}), S.RE_REVIEW_DECIDED),
    Move.CLOSING_CHECK: (CLOSABLE, None),
    Move.CLOSE: (CLOSABLE, S.CLOSED),
    Move.LINK_REPEAT: (DECIDING, None),
    Move.UNLINK_REPEAT: (DECIDING, None),
}

# Why a move is refused in a state, where a plain "not now" would not tell the user what comes first.
OUT_OF_ORDER: dict[str, Any] = {
    Move.REQUEST_RE_REVIEW: _("A re-review (复核) can be asked for only after the review (复查) opinion."),
    Move.DECIDE_RE_REVIEW: _("A re-review opinion can be recorded only after a re-review was asked for."),
    Move.DECIDE_REVIEW: _("A review opinion can be recorded only after a review was asked for."),
    Move.REQUEST_REVIEW: _("A review (复查) can be asked for only after the written reply, and only once."),
    Move.REPLY: _("The written reply comes after the petition is accepted, and only once."),
    Move.CLOSE: _("A petition is closed only after its written reply (or review / re-review opinion)."),
    Move.EXTEND: _("The handling time can be extended only while the petition is being handled."),
    Move.ACCEPT: _("Acceptance is decided once, right after registration or transfer."),
    Move.NOT_ACCEPT: _("Acceptance is decided once, right after registration or transfer."),
}


# Steps on the case timeline that are not moves (the service's own lines).
OTHER_STEPS = {
    "register": _("Registered as a petition"),
    "repeat_recognised": _("Recognised: facts already re-reviewed"),
    "clock_overdue": _("Petition clock overdue"),
}


def step_label(step: str) -> str:
    """The staff's name of a PETITION step stored as "petition_<move>"."""
    name = step.removeprefix("petition_")
    if name in Move.values:
        return str(Move(name).label)
    return str(OTHER_STEPS.get(name, name))


class TransitionRefused(Exception):
    """A move the procedure does not allow in the petition's state (a 409, not a form error)."""


def next_state(move: str, state: str) -> str:
    """The state after `move` from `state`, or TransitionRefused with the reason in the reader's language."""
    allowed, to = TRANSITIONS[move]
    if state not in allowed:
        reason = OUT_OF_ORDER.get(move)
        if reason is None:
            reason = _("“%(move)s” is not possible while the petition is “%(state)s”.") % {
                "move": Move(move).label, "state": State(state).label}
        raise TransitionRefused(str(reason))
    return to or state


def allowed_moves(state: str) -> list[str]:
    return [move for move, (allowed, _to) in TRANSITIONS.items() if state in allowed]


# --- the clocks -------------------------------------------------------------------------------------------------

INTAKE_DAYS = 15  # decide on acceptance and tell the petitioner (also: an organ receiving a transferred petition)
HANDLING_DAYS = 60  # from acceptance to the written reply
EXTENSION_MAX_DAYS = 30  # once, approved by the head of the handling organ, the petitioner told why
REQUEST_DAYS = 30  # the petitioner asks for review (after the reply) or re-review (after the review opinion)
DECISION_DAYS = 30  # the review / re-review organ decides, hearing time not counted
REMIND_DAYS_BEFORE = 3  # the petition office is told this many days before a clock runs out


class Clock(models.TextChoices):
    INTAKE = "intake", _("Decide on acceptance and notify")
    HANDLING = "handling", _("Handle and reply")
    REVIEW_WINDOW = "review_window", _("Petitioner may ask for a review")
    REVIEW = "review", _("Decide the review")
    RE_REVIEW_WINDOW = "re_review_window", _("Petitioner may ask for a re-review")
    RE_REVIEW = "re_review", _("Decide the re-review")


def organ_limit(start: date, days: int) -> date:
    """The last day of a limit the organ must keep: `days` natural days after `start` (start day not counted)."""
    return start + timedelta(days=days)


def petitioner_limit(start: date, days: int, overrides=None) -> date:
    """The last day the petitioner may act: natural days, moved past statutory rest days (民法典 art. 203)."""
    last = start + timedelta(days=days)
    while not is_working_day(last, overrides):
        last += timedelta(days=1)
    return last


def hearing_days(hearings: Iterable[tuple[date, date | None]], today: date) -> int:
    """Days spent in hearings (both ends counted); a hearing still running counts up to today."""
    total = 0
    for start, end in hearings:
        stop = end or today
        if stop >= start:
            total += (stop - start).days + 1
    return total


def intake_due(received_on: date) -> date:
    return organ_limit(received_on, INTAKE_DAYS)


def handling_due(accepted_on: date, extension_days: int = 0) -> date:
    return organ_limit(accepted_on, HANDLING_DAYS + extension_days)


def request_until(decided_on: date, overrides=None) -> date:
    """The last day to ask for the next step (review after the reply, re-review after the review opinion)."""
    return petitioner_limit(decided_on, REQUEST_DAYS, overrides)


def decision_due(requested_on: date, hearings: Iterable[tuple[date, date | None]] = (), today: date | None = None) -> date:
    """The last day for a review / re-review opinion: 30 days after the request, plus the hearing days."""
    return organ_limit(requested_on, DECISION_DAYS + hearing_days(hearings, today or requested_on))


PETITIONER_CLOCKS = frozenset({Clock.REVIEW_WINDOW, Clock.RE_REVIEW_WINDOW})


@dataclass(frozen=True)
class ClockState:
    clock: str
    due: date
    paused: bool = False  # a hearing is running: the decision clock stands still

    @property
    def label(self) -> str:
        return str(Clock(self.clock).label)

    @property
    def organ(self) -> bool:
        """A limit the organ must keep (else the petitioner's window, which simply runs out)."""
        return self.clock not in PETITIONER_CLOCKS

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def overdue(self, today: date) -> bool:
        return self.organ and not self.paused and today > self.due

    def expired(self, today: date) -> bool:
        return not self.organ and today > self.due

    def reminder(self, today: date) -> bool:
        return self.organ and not self.paused and 0 <= (self.due - today).days <= REMIND_DAYS_BEFORE


def clock_for(state: str, *, received_on: date, accepted_on: date | None = None, extension_days: int = 0,
              replied_on: date | None = None, review_requested_on: date | None = None,
              review_decided_on: date | None = None, re_review_requested_on: date | None = None,
              hearings: Iterable[tuple[str, date, date | None]] = (), today: date) -> ClockState | None:
    """The clock running in `state`, from the petition's dates (hearings: (stage, start, end or None))."""
    hearings = list(hearings)

    def decision(stage: str, requested: date) -> ClockState:
        mine = [(s, e) for st, s, e in hearings if st == stage]
        return ClockState(Clock.REVIEW if stage == "review" else Clock.RE_REVIEW,
                          decision_due(requested, mine, today), paused=any(e is None for _s, e in mine))

    if state in DECIDING:
        return ClockState(Clock.INTAKE, intake_due(received_on))
    if state in HANDLING_STATES and accepted_on:
        return ClockState(Clock.HANDLING, handling_due(accepted_on, extension_days))
    if state == S.REPLIED and replied_on:
        return ClockState(Clock.REVIEW_WINDOW, request_until(replied_on))
    if state == S.REVIEW_REQUESTED and review_requested_on:
        return decision("review", review_requested_on)
    if state == S.REVIEW_DECIDED and review_decided_on:
        return ClockState(Clock.RE_REVIEW_WINDOW, request_until(review_decided_on))
    if state == S.RE_REVIEW_REQUESTED and re_review_requested_on:
        return decision("re_review", re_review_requested_on)
    return None


def validate_extension(days: int, *, already_extended: bool, approved: bool) -> list[str]:
    """What is wrong with an extension (empty when it may be granted), in the reader's language."""
    errors = []
    if already_extended:
        errors.append(str(_("The handling time was already extended once; the regulation allows one extension.")))
    if days < 1 or days > EXTENSION_MAX_DAYS:
        errors.append(str(_("An extension is 1 to %(max)d days.") % {"max": EXTENSION_MAX_DAYS}))
    if not approved:
        errors.append(str(_("An extension needs the approval of the head of the handling organ (a leader).")))
    return errors


# --- 三到位一处理: the check before closing ----------------------------------------------------------------------


class ClosingItem(models.TextChoices):
    SOLVED = "solved", _("Reasonable demands: the problem solved (诉求合理的解决问题到位)")
    EXPLAINED = "explained", _("Unreasonable demands: explained and counselled (诉求无理的思想教育到位)")
    HELPED = "helped", _("Hardship: help and relief given (生活困难的帮扶救助到位)")
    HANDLED_BY_LAW = "handled_by_law", _("Unlawful conduct: handled according to law (行为违法的依法处理)")


@dataclass(frozen=True)
class CheckLine:
    item: str
    applicable: bool
    done: bool
    note: str = ""


def closing_check_errors(lines: Iterable[CheckLine]) -> list[str]:
    """Why the closing check does not allow closing yet (empty when it does)."""
    lines = list(lines)
    errors = []
    if {line.item for line in lines} != set(ClosingItem.values):
        errors.append(str(_("The closing check (三到位一处理) has not been filled in.")))
        return errors
    if not any(line.applicable for line in lines):
        errors.append(str(_("At least one item of the closing check applies to every petition.")))
    for line in lines:
        label = ClosingItem(line.item).label
        if line.applicable and not line.done:
            errors.append(str(_("Not done yet: %(item)s.") % {"item": label}))
        if line.applicable and not line.note.strip():
            errors.append(str(_("Say what was done: %(item)s.") % {"item": label}))
    return errors


# --- petitions on facts already re-reviewed ------------------------------------------------------------------------

SIMILAR_MATTER = 0.35  # share of character pairs two matters have in common to count as the same facts


def _pairs(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def matter_similarity(a: str, b: str) -> float:
    """Overlap of character pairs (Dice coefficient, 0–1): Chinese needs no word splitting for this."""
    x, y = _pairs(a), _pairs(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def person_keys(name: str, phone: str, id_number: str) -> set[str]:
    """What identifies a petitioner across petitions: the ID number, else the phone, else the name."""
    keys = set()
    if id_number.strip():
        keys.add("id:" + id_number.strip().upper())
    if phone.strip():
        keys.add("phone:" + "".join(c for c in phone if c.isdigit())[-11:])
    if not keys and name.strip():
        keys.add("name:" + name.strip())
    return keys


def is_repeat(new_keys: set[str], new_matter: str, old_keys: set[str], old_matter: str) -> float | None:
    """The similarity when the new petition is the same petitioner on similar facts, else None."""
    if not (new_keys & old_keys):
        return None
    score = matter_similarity(new_matter, old_matter)
    return score if score >= SIMILAR_MATTER else None


# Grounds for not accepting (a notice names one, with the reason written for the petitioner).
class NotAcceptedGround(models.TextChoices):
    RE_REVIEWED = "re_reviewed", _("The same facts were already re-reviewed (复核)")
    OTHER_ROUTE = "other_route", _("Belongs to litigation, arbitration or administrative reconsideration")
    BEING_HANDLED = "being_handled", _("Already being handled, or handled within its time limits")
    NOT_A_PETITION = "not_a_petition", _("Not a matter for the petition procedure")
