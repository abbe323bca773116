"""The rules of commands, without the database: clocks, the check-in assessment, distance, transitions, reach."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fengqiao.commands import rules
from fengqiao.commands.models import ClockUnit, Flag, Level, Rank

TZ = ZoneInfo("Asia/Shanghai")
URGENT = rules.DEFAULT_POLICIES[Level.URGENT]


def test_the_urgent_default_is_on_site_within_thirty_minutes_on_the_wall_clock():
    assert (URGENT.checkin_amount, URGENT.checkin_unit, URGENT.on_site) == (30, ClockUnit.MINUTES, True)
    saturday_night = datetime(2026, 12, 12, 23, 50, tzinfo=TZ)  # a rest day, outside working hours
    assert rules.checkin_due(URGENT, saturday_night) == saturday_night + timedelta(minutes=30)


def test_a_general_command_runs_on_the_working_calendar():
    general = rules.DEFAULT_POLICIES[Level.GENERAL]
    friday = datetime(2026, 12, 11, 16, 0, tzinfo=TZ)
    due = rules.checkin_due(general, friday)
    assert due.date() == datetime(2026, 12, 14, tzinfo=TZ).date()  # Monday: the weekend does not count


def test_the_migration_ships_the_same_defaults_as_the_rules():
    from importlib import import_module

    shipped = import_module("fengqiao.commands.migrations.0002_default_policies").DEFAULTS
    assert {row[0]: row[1:7] for row in shipped} == {
        str(level): (p.checkin_amount, str(p.checkin_unit), int(p.min_rank), p.headcount, p.on_site,
                     p.max_distance_m)
        for level, p in rules.DEFAULT_POLICIES.items()}


def test_distance_between_two_points_in_guangming():
    # one hundredth of a degree of latitude is 1,112 m everywhere; this diagonal is about 3.3 km
    d = rules.distance_m(22.7487, 113.9358, 22.7733, 113.9163)
    assert 3000 < d < 3500
    assert round(rules.distance_m(22.75, 113.93, 22.76, 113.93)) == 1112
    assert rules.distance_m(22.75, 113.93, 22.75, 113.93) == 0


def _assess(**kw):
    due = datetime(2026, 12, 8, 10, 30, tzinfo=TZ)
    args = {"due": due, "at": due - timedelta(minutes=5), "ranks": [Rank.SECTION, Rank.STAFF], "on_site": True,
            "distance": 120.0}
    args.update(kw)
    return rules.assess_checkin(URGENT, **args)


def test_a_good_check_in_has_no_flag():
    judged = _assess()
    assert judged.flags == () and judged.top_rank == Rank.SECTION and judged.distance_m == 120


@pytest.mark.parametrize(("change", "flag"), [
    ({"at": datetime(2026, 12, 8, 10, 31, tzinfo=TZ)}, Flag.LATE),
    ({"ranks": [Rank.DEPUTY_SECTION, Rank.STAFF]}, Flag.UNDER_RANKED),
    ({"ranks": [Rank.DIVISION]}, Flag.SHORT_HANDED),
    ({"distance": 2400.0}, Flag.FAR),
    ({"distance": None}, Flag.FAR),
    ({"on_site": False, "distance": None}, Flag.ONLINE),
])
def test_each_shortfall_is_flagged(change, flag):
    assert flag in _assess(**change).flags


def test_a_place_known_only_by_its_community_is_given_its_radius():
    assert Flag.FAR in _assess(distance=1200.0).flags
    assert Flag.FAR not in _assess(distance=1200.0, place_radius_m=800).flags
    assert Flag.FAR not in _assess(distance=None, place_known=False).flags  # nothing locates the place


def test_transitions():
    assert rules.next_status("awaiting", "sign") == "issued"
    assert rules.next_status("issued", "confirm") == "fulfilled"
    assert rules.next_status("fulfilled", "confirm") is None
    assert rules.next_status("awaiting", "confirm") is None  # an unsigned command cannot be fulfilled


def test_reach_is_the_own_district_and_the_centres_below():
    gm, lh = "/440000/440300/440311/", "/440000/440300/440303/"
    street = ("/1/7/", gm + "440311001/")
    assert rules.in_reach(*street, "department", "/1/30/", gm, gm)  # a district department
    assert rules.in_reach(*street, "community_centre", "/1/7/40/", gm + "440311001/440311001001/", gm)
    assert not rules.in_reach(*street, "district_centre", "/1/", gm, gm)  # the centre above
    assert not rules.in_reach(*street, "department", "/2/31/", lh, gm)  # another district
