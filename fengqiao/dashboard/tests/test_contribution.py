"""The pure contribution function: what one case adds to the counters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from fengqiao.dashboard import rules, tallies
from fengqiao.dashboard.models import CategoryTally, DayTally, OpenTally, RespondentTally, UnitTally


def facts(**over) -> tallies.Facts:
    base = {
        "status": "submitted",
        "submitted_at": datetime(2026, 3, 1, 17, 30, tzinfo=UTC),  # 01:30 on 2 March in Shenzhen
        "places": ((7, "/4403/440311/440311001/"),),
        "service_type": "mediation",
        "grade": "yellow",
        "category_id": 0,
        "unit_id": 3,
        "people": 1,
        "amount": None,
        "outcome": "",
        "satisfaction": "",
        "resolved_on_time": None,
        "respondents": (),
    }
    base.update(over)
    return tallies.Facts(**base)


def rows_of(c, model):
    return {key: measures for (m, key), measures in c.items() if m is model}


def test_a_new_case_counts_on_its_local_day_and_is_open():
    c = tallies.contribution(facts(people=6, amount=Decimal("1234.56")))
    day = date(2026, 3, 2)
    assert rows_of(c, DayTally) == {
        (day, 7, "/4403/440311/440311001/", "mediation", "yellow"): {
            "received": 1,
            "people": 6,
            "money_cents": 123456,
            "collective": 1,
        }
    }
    assert rows_of(c, OpenTally) == {(7, "/4403/440311/440311001/", "yellow", "mediation"): {"open": 1}}
    assert rows_of(c, CategoryTally) == {(day, 7, "/4403/440311/440311001/", 0): {"received": 1}}
    assert rows_of(c, UnitTally) == {(day, 7, "/4403/440311/440311001/", 3): {"received": 1}}


def test_every_level_above_the_place_keeps_its_own_total():
    places = ((7, "/4403/440311/440311001/"), (5, "/4403/440311/"), (1, "/4403/"))
    c = tallies.contribution(facts(places=places, respondents=("某公司",)))
    day = date(2026, 3, 2)
    assert set(rows_of(c, DayTally)) == {(day, pk, path, "mediation", "yellow") for pk, path in places}
    assert {key[0] for key in rows_of(c, OpenTally)} == {7, 5, 1}
    assert {key[1] for key in rows_of(c, RespondentTally)} == {7, 5, 1}
    assert tallies.ancestor_paths("/4403/440311/440311001/") == ["/4403/440311/440311001/", "/4403/440311/", "/4403/"]
    assert tallies.places_of("/4403/440311/", {"/4403/": 1, "/4403/440311/": 5}) == (
        (5, "/4403/440311/"),
        (1, "/4403/"),
    )


def test_collective_starts_at_the_threshold():
    below = tallies.contribution(facts(people=rules.COLLECTIVE_PEOPLE - 1))
    at = tallies.contribution(facts(people=rules.COLLECTIVE_PEOPLE))
    assert "collective" not in next(iter(rows_of(below, DayTally).values()))
    assert next(iter(rows_of(at, DayTally).values()))["collective"] == 1


def test_resolution_outcomes_and_on_time():
    settled = next(
        iter(
            rows_of(
                tallies.contribution(
                    facts(status="closed", outcome="partly", resolved_on_time=True, satisfaction="basically_satisfied")
                ),
                DayTally,
            ).values()
        )
    )
    assert settled == {
        "received": 1,
        "resolved": 1,
        "concluded": 1,
        "on_time": 1,
        "rated": 1,
        "satisfied": 1,
        "people": 1,
    }
    referred = next(
        iter(
            rows_of(
                tallies.contribution(facts(status="resolved", outcome="not_resolved", resolved_on_time=False)), DayTally
            ).values()
        )
    )
    assert referred == {"received": 1, "concluded": 1, "people": 1}
    reopened = next(
        iter(
            rows_of(
                tallies.contribution(
                    facts(status="in_progress", outcome="resolved", resolved_on_time=True, satisfaction="dissatisfied")
                ),
                DayTally,
            ).values()
        )
    )
    assert reopened == {"received": 1, "rated": 1, "people": 1}


def test_a_merged_duplicate_counts_nothing_and_closed_cases_are_not_open():
    assert tallies.contribution(facts(status="merged", respondents=("某公司",))) == {}
    assert rows_of(tallies.contribution(facts(status="withdrawn")), OpenTally) == {}
    assert rows_of(tallies.contribution(facts(status="resolved", outcome="resolved")), OpenTally)  # awaits confirmation


def test_respondents_are_normalised_and_counted_once_per_case():
    c = tallies.contribution(facts(respondents=("深圳市 某某 公司", "深圳市某某公司", "ＡＢＣ Ltd.", "")))
    assert set(k[3] for k in rows_of(c, RespondentTally)) == {"深圳市某某公司", "abcltd"}
    assert tallies.respondent_key("  （深圳）某厂 ") == "深圳某厂"


def test_difference_leaves_out_what_does_not_change():
    before = tallies.contribution(facts())
    after = tallies.contribution(facts(grade="red"))
    diff = tallies.difference(before, after)
    assert diff[(DayTally, (date(2026, 3, 2), 7, "/4403/440311/440311001/", "mediation", "yellow"))] == {
        "received": -1,
        "people": -1,
    }
    assert diff[(DayTally, (date(2026, 3, 2), 7, "/4403/440311/440311001/", "mediation", "red"))] == {
        "received": 1,
        "people": 1,
    }
    assert not any(m is CategoryTally or m is UnitTally for m, _ in diff)
    assert tallies.difference(before, before) == {}
    assert tallies.add_up([before, tallies.difference(before, after)]) == after


def test_risk_colour_by_level():
    assert rules.risk_colour("community", 0, 0) == "green"
    assert rules.risk_colour("community", 1, 0) == "yellow"
    assert rules.risk_colour("community", 2, 0) == "red"
    assert rules.risk_colour("community", 0, 8) == "red"
    assert rules.risk_colour("district", 2, 29) == "green"
    assert rules.risk_colour("district", 3, 0) == "yellow"


def test_period_rules():
    assert rules.period_errors(date(2026, 1, 2), date(2026, 1, 1))
    assert rules.period_errors(date(2016, 1, 1), date(2026, 1, 1))
    assert not rules.period_errors(date(2016, 1, 2), date(2026, 1, 1))
    assert not rules.period_errors(date(2026, 1, 1), date(2026, 1, 1))
    assert rules.rate(1, 3) == 0.3333 and rules.rate(0, 0) is None
