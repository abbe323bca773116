"""How a deadline reads on screen: the time left in words, and whether it is overdue, soon or later."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

DUE_SOON = timedelta(hours=2)


@dataclass(frozen=True)
class TimeLeft:
    text: str  # "overdue by 2 h", "due in 35 min"
    state: str  # overdue | soon | later
    minutes: int  # signed: negative when overdue


def span_text(minutes: int) -> str:
    """A short duration in words: "35 min", "2 h 5 min", "3 d 4 h" (minutes ≥ 1)."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        if hours:
            return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
        return _("%(n)d d") % {"n": days}
    if hours:
        if mins:
            return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
        return _("%(n)d h") % {"n": hours}
    return _("%(n)d min") % {"n": mins}


def time_left(due: datetime | None, now: datetime) -> TimeLeft | None:
    """How long until `due` as seen at `now`, in words, with its state; None when there is no deadline.

    Overdue time counts every started minute (30 s late is "overdue by 1 min");
    time left counts whole minutes, and under a minute reads "due now".
    """
    if due is None:
        return None
    seconds = (due - now).total_seconds()
    if seconds < 0:
        minutes = max(1, math.ceil(-seconds / 60))
        return TimeLeft(_("overdue by %(span)s") % {"span": span_text(minutes)}, "overdue", -minutes)
    minutes = int(seconds) // 60
    state = "soon" if seconds < DUE_SOON.total_seconds() else "later"
    if minutes == 0:
        return TimeLeft(_("due now"), state, 0)
    return TimeLeft(_("due in %(span)s") % {"span": span_text(minutes)}, state, minutes)


