"""The big screen's rules, as data and plain functions (no database).

- A region's risk colour comes from its open cases NOW (red and yellow ones), with thresholds by the region's
  level (`RISK`, one table).
- A collective case (群体性) involves at least `COLLECTIVE_PEOPLE` people (the triage default of the same name);
  changing it needs `manage.py rebuild_tallies`.
- A period runs from `from` to `to`, both days included (Asia/Shanghai), never backwards, at most ten years;
  the default is the last `DEFAULT_DAYS` days up to today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

COLLECTIVE_PEOPLE = 5
DEFAULT_DAYS = 30
MAX_YEARS = 10
TOP_N = 10
PINS_MAX = 500
LATEST_N = 10


@dataclass(frozen=True)
class RiskThresholds:
    """A region is red from `red_at_red` open red cases or `red_at_yellow` open yellow ones; yellow from
    `yellow_at_red` red or `yellow_at_yellow` yellow ones; green below."""

    red_at_red: int
    red_at_yellow: int
    yellow_at_red: int
    yellow_at_yellow: int


# By the level of the region coloured: a district holds many communities, so it takes more to turn it red.
RISK: dict[str, RiskThresholds] = {
    "grid": RiskThresholds(red_at_red=1, red_at_yellow=5, yellow_at_red=1, yellow_at_yellow=1),
    "community": RiskThresholds(red_at_red=2, red_at_yellow=8, yellow_at_red=1, yellow_at_yellow=3),
    "street": RiskThresholds(red_at_red=5, red_at_yellow=30, yellow_at_red=1, yellow_at_yellow=10),
    "district": RiskThresholds(red_at_red=10, red_at_yellow=100, yellow_at_red=3, yellow_at_yellow=30),
}
RISK_DEFAULT = RISK["district"]


def is_collective(people: int) -> bool:
    return people >= COLLECTIVE_PEOPLE


def risk_colour(level: str, open_red: int, open_yellow: int) -> str:
    """red / yellow / green for a region of `level` from its open red and yellow cases."""
    t = RISK.get(level, RISK_DEFAULT)
    if open_red >= t.red_at_red or open_yellow >= t.red_at_yellow:
        return "red"
    if open_red >= t.yellow_at_red or open_yellow >= t.yellow_at_yellow:
        return "yellow"
    return "green"


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole rounded to 4 places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def default_period(today: date) -> tuple[date, date]:
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def period_errors(date_from: date, date_to: date) -> dict[str, list[str]]:
    """What is wrong with a period (empty when nothing is)."""
    if date_to < date_from:
        return {"to": [str(_("The end of the period is before its start."))]}
    try:
        limit = date_from.replace(year=date_from.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = date_from.replace(year=date_from.year + MAX_YEARS, day=28)
    if date_to >= limit:
        return {"to": [str(_("A period is at most ten years long."))]}
    return {}


def days_between(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
