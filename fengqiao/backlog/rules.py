"""The backlog's shape, as data and plain functions (no database).

- Age bands of open cases (存量): the board counts each unit's open cases per band.
- A case is in the stock from `submitted_at` until `closed_at` (closed, rejected, merged, withdrawn); the burn-down
  counts, for each day, the cases in the stock at the end of that day — so today's point equals the number of
  cases not closed.
- Suggested campaigns: open cases older than `SUGGEST_MIN_AGE_DAYS`, grouped by category, by respondent (an
  organisation named as respondent), or by community; a group of at least `SUGGEST_MIN_CASES` is suggested.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: int  # days, inclusive
    high: int | None  # days, inclusive; None: no upper bound


AGE_BANDS: tuple[Band, ...] = (
    Band("week", _("up to 7 days"), 0, 7),
    Band("month", _("8–30 days"), 8, 30),
    Band("quarter", _("31–90 days"), 31, 90),
    Band("half", _("91–180 days"), 91, 180),
    Band("older", _("over 180 days"), 181, None),
)

BURNDOWN_DAYS = 30
SUGGEST_MIN_AGE_DAYS = 15
SUGGEST_MIN_CASES = 3


def band_of(age_days: int) -> Band:
    for band in AGE_BANDS:
        if age_days >= band.low and (band.high is None or age_days <= band.high):
            return band
    return AGE_BANDS[0]  # a case dated in the future (clock skew) counts as new


def band_bounds(band: Band, now: datetime) -> tuple[datetime | None, datetime]:
    """The submitted_at range [after, up to] of a band's cases at `now`."""
    newest = now - timedelta(days=band.low)
    oldest = None if band.high is None else now - timedelta(days=band.high + 1)
    return oldest, newest


def day_ends(today: date, days: int, tz) -> list[tuple[date, datetime]]:
    """The last `days` days up to `today`, each with the moment it ends (local midnight after it)."""
    return [(d, datetime.combine(d + timedelta(days=1), time.min, tzinfo=tz))
            for d in (today - timedelta(days=n) for n in range(days - 1, -1, -1))]


GROUPINGS = {"category": _("category"), "respondent": _("respondent"), "community": _("community")}
