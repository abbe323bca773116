"""Pure deadline arithmetic: on the clock, or in working days on the Chinese statutory calendar.

Working days follow `chinese-calendar` (statutory holidays and make-up working
days); `overrides` lets an administrator correct or extend years the package
does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL = ZoneInfo("Asia/Shanghai")
START_OF_DAY = time(9, 0)
END_OF_DAY = time(18, 0)


def is_working_day(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Years the package does not know: weekdays work, weekends rest, until an override says otherwise.
        return day.weekday() < 5


def add_working_days(start: datetime, days: int, overrides: Mapping[date, bool] | None = None) -> datetime:
    """End of the `days`-th working day after `start` (the start day itself does not count)."""
    local = start.astimezone(LOCAL)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            remaining -= 1
    return datetime.combine(day, END_OF_DAY, tzinfo=LOCAL)


def add_working_hours(start: datetime, hours: float, overrides: Mapping[date, bool] | None = None) -> datetime:
    """`hours` of office time (09:00–18:00 on working days) after `start`."""
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(LOCAL)
    while True:
        day = cursor.date()
        if is_working_day(day, overrides):
            opens = datetime.combine(day, START_OF_DAY, tzinfo=LOCAL)
            closes = datetime.combine(day, END_OF_DAY, tzinfo=LOCAL)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=LOCAL)


def due_at(start: datetime, amount: int, unit: str, overrides: Mapping[date, bool] | None = None) -> datetime:
    """When a step started at `start` with `amount` `unit`s allowed is due."""
    if unit == "minutes":
        return start + timedelta(minutes=amount)
    if unit == "hours":
        return start + timedelta(hours=amount)
    if unit == "working_days":
        return add_working_days(start, amount, overrides)
    if unit == "working_hours":
        return add_working_hours(start, amount, overrides)
    if unit == "calendar_days":
        return start + timedelta(days=amount)
    raise ValueError(f"unknown time unit {unit!r}")
