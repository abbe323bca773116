"""How a deadline reads on screen: time left and its colour (red overdue, yellow within two hours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DUE_SOON = timedelta(hours=2)


@dataclass(frozen=True)
class DeadlineState:
    due: datetime
    overdue: bool
    level: str  # red | yellow | green
    text: str


def humanise(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days} + (
            " " + ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours} if hours else "")
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours} + (
            " " + ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins} if mins else "")
    return ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins} if mins else _("less than a minute")


def deadline_state(due: datetime | None, now: datetime) -> DeadlineState | None:
    if due is None:
        return None
    delta = due - now
    if delta < timedelta(0):
        return DeadlineState(due, True, "red", humanise(delta))
    return DeadlineState(due, False, "yellow" if delta < DUE_SOON else "green", humanise(delta))
