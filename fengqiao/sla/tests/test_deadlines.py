"""Deadline arithmetic on the Chinese statutory calendar (pure functions, no database)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fengqiao.sla.deadlines import add_working_days, add_working_hours, due_at, is_working_day

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_make_up_saturday_before_spring_festival_is_a_working_day():
    # 2026: Spring Festival holiday 15–23 Feb; Saturday 14 Feb and Saturday 28 Feb are worked.
    assert is_working_day(date(2026, 2, 14))
    assert not is_working_day(date(2026, 2, 16))
    assert is_working_day(date(2026, 2, 28))


def test_one_working_day_from_friday_lands_on_the_make_up_saturday():
    assert add_working_days(at(2026, 2, 13, 10, 0), 1) == at(2026, 2, 14, 18, 0)


def test_working_days_skip_the_whole_spring_festival():
    assert add_working_days(at(2026, 2, 14, 9, 0), 1) == at(2026, 2, 24, 18, 0)
    assert add_working_days(at(2026, 2, 13, 10, 0), 3) == at(2026, 2, 25, 18, 0)


def test_working_hours_carry_over_into_the_make_up_saturday():
    # One hour left on Friday 13 Feb (17:00–18:00), the second hour on the worked Saturday.
    assert add_working_hours(at(2026, 2, 13, 17, 0), 2) == at(2026, 2, 14, 10, 0)
    # From the last day before the holiday straight to the first day after it.
    assert add_working_hours(at(2026, 2, 14, 17, 30), 1) == at(2026, 2, 24, 9, 30)


def test_calendar_units_ignore_holidays():
    start = at(2026, 2, 16, 12, 0)
    assert due_at(start, 10, "minutes") == start + timedelta(minutes=10)
    assert due_at(start, 2, "hours") == start + timedelta(hours=2)
    assert due_at(start, 15, "calendar_days") == start + timedelta(days=15)


def test_overrides_correct_the_calendar_and_cover_unknown_years():
    # A year the package does not know falls back to Monday–Friday …
    assert is_working_day(date(2031, 1, 6))
    assert not is_working_day(date(2031, 1, 4))
    # … and the administrator's table overrides either way.
    overrides = {date(2031, 1, 6): False, date(2031, 1, 4): True}
    assert not is_working_day(date(2031, 1, 6), overrides)
    assert add_working_days(at(2031, 1, 3, 9, 0), 1, overrides) == at(2031, 1, 4, 18, 0)


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        due_at(at(2026, 1, 5, 9, 0), 1, "fortnights")


@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20)),
    days=st.integers(min_value=1, max_value=20),
)
def test_working_day_deadlines_fall_on_working_days_after_the_start(start, days):
    start = start.replace(tzinfo=SH)
    due = add_working_days(start, days)
    assert due > start
    assert is_working_day(due.date())
    worked = sum(is_working_day(start.date() + timedelta(d)) for d in range(1, (due.date() - start.date()).days + 1))
    assert worked == days
