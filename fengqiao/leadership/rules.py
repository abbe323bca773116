"""Which cases a leader takes (领导包案), and the sink-down duty's shape, as data and plain functions.

Luohu and Guangming put leaders on the cases that matter most and on the oldest ones (存量): a case is eligible when
it is graded red or yellow (major), or has been open longer than `OLD_AFTER_DAYS`; a leader above may also be
assigned any open case by the centre (basis "assigned")."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

OLD_AFTER_DAYS = 30  # open this long, a case is "old" (存量) and may be owned whatever its grade
MAJOR_GRADES = frozenset({"red", "yellow"})
DUTY_MAX_HOURS = 10  # one shift is at most a working day
DUTY_WEEKS_AHEAD = 8  # shifts are scheduled at most this far ahead


class Basis:
    MAJOR = "major"
    OLD = "old"

    LABELS = {MAJOR: _("major case (red or yellow grade)"), OLD: _("old case (open over 30 days)")}


def ownership_basis(*, grade: str, submitted_at: datetime, now: datetime) -> str | None:
    """Why a leader may take this case, or None when it is neither major nor old."""
    if grade in MAJOR_GRADES:
        return Basis.MAJOR
    if now - submitted_at >= timedelta(days=OLD_AFTER_DAYS):
        return Basis.OLD
    return None


def duty_problem(*, starts_at: datetime, ends_at: datetime, now: datetime) -> str | None:
    """What is wrong with a shift's times, in words, or None."""
    if ends_at <= starts_at:
        return str(_("The shift must end after it starts."))
    if ends_at - starts_at > timedelta(hours=DUTY_MAX_HOURS):
        return str(_("A shift lasts at most %(hours)d hours.") % {"hours": DUTY_MAX_HOURS})
    if starts_at > now + timedelta(weeks=DUTY_WEEKS_AHEAD):
        return str(_("Shifts are scheduled at most %(weeks)d weeks ahead.") % {"weeks": DUTY_WEEKS_AHEAD})
    return None
