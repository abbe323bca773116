"""The early-warning detectors: each fires on its pattern and stays quiet on a normal background.

A small district (3 streets × 3 communities, 40 demands a day over 90 days, steady weekly rhythm) is the
background; each test adds its pattern. No database: the detectors are pure functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.warnings.detectors import (
    DEFAULT_THRESHOLDS,
    Record,
    Thresholds,
    detect,
    detect_bursts,
    detect_clusters,
    detect_collective,
    detect_drift,
    detect_red_open,
    detect_repeats,
    detect_respondents,
    nb_tail,
)
from fengqiao.warnings.fingerprint import text_fingerprint

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 2, 15, 0, tzinfo=CST)  # a Wednesday afternoon
DISTRICT = "D"
STREETS = ("S1", "S2", "S3")
COMMUNITIES = tuple((f"{s}-{i}", s) for s in STREETS for i in (1, 2, 3))
CATEGORIES = ("C01-01", "C01-02", "C02-01", "C03-01", "C07-02")
T = DEFAULT_THRESHOLDS

FIREWORKS = (
    "春节期间小区楼下每天凌晨还有人燃放烟花爆竹，噪音很大，老人小孩都睡不着，烟花残渣满地，"
    "而且离加油站很近，存在安全隐患，请相关部门尽快处理。"
)
PREFIXES = ("", "我是3栋住户，", "本人住在附近，", "已经反映多次了，", "我家有老人小孩，", "大家都很着急，")
SUFFIXES = ("", "谢谢！", "恳请领导重视！", "希望尽快解决。")
DIFFERENT = (
    "投诉小区物业违规收取停车费，未经业主大会同意擅自涨价，请主管部门查处。",
    "孩子今年九月上小学，想咨询积分入学需要准备哪些材料，什么时候开始申请？",
    "公交站台的顶棚被台风吹坏了，下雨天候车的人都淋湿了，希望尽快修复。",
    "楼下餐馆油烟直排，窗户都不敢开，多次和老板沟通无效。",
    "小区电梯经常困人，上周又坏了三天，老人上下楼非常困难。",
    "路口红绿灯时间太短，老人过马路走不完，请交警部门调整。",
    "公园里有人夜间跳广场舞，音响声音很大，影响周边居民休息。",
    "申请低保需要哪些证明材料，社区说要去街道办，街道说要去社区。",
)

_ids = iter(range(1_000_000, 10_000_000))


def rec(
    at,
    *,
    place="S1-1",
    street=None,
    category="C01-01",
    respondent="",
    complainant=None,
    people=1,
    grade="green",
    is_open=False,
    fingerprint=None,
    case_id=None,
) -> Record:
    if street is None:
        street = dict(COMMUNITIES).get(place, place if place in STREETS else "")
    cid = case_id if case_id is not None else next(_ids)
    return Record(
        case_id=cid,
        at=at,
        place=place,
        street=street,
        category=category,
        respondent=respondent,
        complainant=complainant if complainant is not None else f"who{cid}",
        people=people,
        grade=grade,
        is_open=is_open,
        fingerprint=fingerprint if fingerprint is not None else random.Random(cid).getrandbits(63) | 1,
    )


def background(seed: int = 7, per_day: int = 40, days: int = 90, now: dt.datetime = NOW) -> list[Record]:
    """Steady demands: Monday busier, weekend quieter, 15 % red or yellow, unrelated texts, one person each."""
    rnd = random.Random(seed)
    out = []
    weekday = (1.3, 1.1, 1.0, 1.0, 1.0, 0.8, 0.6)
    for d in range(days, 0, -1):
        day = (now - dt.timedelta(days=d)).replace(hour=0, minute=0, second=0)
        for _ in range(round(per_day * weekday[day.weekday()])):
            at = day + dt.timedelta(seconds=rnd.randrange(8 * 3600, 22 * 3600))
            place, _street = rnd.choice(COMMUNITIES)
            x = rnd.random()
            out.append(
                rec(
                    at,
                    place=place,
                    category=rnd.choice(CATEGORIES),
                    grade="red" if x < 0.02 else "yellow" if x < 0.15 else "green",
                    respondent=rnd.choice(("", "", "", "", "水务集团", "电力公司", "某物业")),
                )
            )
    return [r for r in out if r.at <= now]


BACKGROUND = background()


def hours_ago(h: float, now: dt.datetime = NOW) -> dt.datetime:
    return now - dt.timedelta(hours=h)


def copy_of(text: str, i: int) -> str:
    return PREFIXES[i % len(PREFIXES)] + text.replace("3", str(i)) + SUFFIXES[i % len(SUFFIXES)]


def kinds(signals):
    return sorted(s.kind for s in signals)


# ---------------------------------------------------------------------------------------------------------------


def test_a_normal_background_raises_nothing():
    assert detect(BACKGROUND, now=NOW, district=DISTRICT) == []
    later = NOW + dt.timedelta(days=5, hours=3)
    assert detect(background(now=later), now=later, district=DISTRICT) == []


def test_a_burst_of_one_category_in_a_community_is_one_signal_with_its_evidence():
    burst = [
        rec(hours_ago(10 - i), place="S2-3", category="C02-01", fingerprint=text_fingerprint(t))
        for i, t in enumerate(DIFFERENT)
    ]
    signals = detect(BACKGROUND + burst, now=NOW, district=DISTRICT)
    assert len(signals) == 1
    s = signals[0]
    assert (s.kind, s.key, s.place, s.category, s.level) == ("burst", "place:S2:C02-01", "S2-3", "C02-01", "yellow")
    assert {r.case_id for r in burst} <= set(s.case_ids)
    assert s.case_ids == tuple(sorted(s.case_ids, key=lambda c: -c))  # newest first
    assert s.count >= len(burst)
    assert s.started_at == burst[0].at
    assert len(s.series) == T.series_days and s.series[-1][0] == NOW.date().isoformat()
    assert s.series[-1][1] >= len(burst)
    assert s.reason["msg"].startswith("%(count)s demands of this category")


def test_one_to_three_is_not_a_burst_and_the_minimum_count_is_a_threshold():
    three = [rec(hours_ago(3 - i), place="S3-1", category="C05-01") for i in range(3)]  # a category never seen there
    assert detect_bursts(BACKGROUND + three, NOW, T) == []
    assert detect_bursts(BACKGROUND + three, NOW, dataclasses.replace(T, burst_min_count=3, burst_p_value=0.01))


def test_thresholds_change_the_outcome():
    burst = [rec(hours_ago(i), place="S2-3", category="C02-01") for i in range(8)]
    assert detect_bursts(BACKGROUND + burst, NOW, T)
    assert detect_bursts(BACKGROUND + burst, NOW, dataclasses.replace(T, burst_min_count=9)) == []
    bigger = [rec(hours_ago(i / 2), place="S2-3", category="C02-01") for i in range(20)]
    assert detect_bursts(BACKGROUND + bigger, NOW, T)[0].level == "orange"
    assert detect_bursts(BACKGROUND + bigger, NOW, dataclasses.replace(T, burst_orange_count=30))[0].level == "yellow"


def test_a_monday_peak_that_is_normal_is_not_a_burst_but_the_same_count_on_a_wednesday_is():
    # a market community: every Monday ten complaints about stalls, hardly any on other days
    monday = dt.datetime(2026, 11, 30, 20, 0, tzinfo=CST)
    wednesday = monday + dt.timedelta(days=2)

    def market(until: dt.datetime, extra_on: dt.date | None = None) -> list[Record]:
        out = []
        for d in range(1, 90):
            day = until - dt.timedelta(days=d)
            if day.weekday() == 0:
                out += [rec(day.replace(hour=9 + i), place="S1-2", category="C04-01") for i in range(10)]
        if extra_on is not None:
            out += [rec(until.replace(hour=9 + i), place="S1-2", category="C04-01") for i in range(10)]
        return out

    assert monday.weekday() == 0
    this_monday = market(monday, extra_on=monday.date())
    assert detect_bursts(background(now=monday) + this_monday, monday, T) == []
    this_wednesday = market(wednesday, extra_on=wednesday.date())
    fired = detect_bursts(background(now=wednesday) + this_wednesday, wednesday, T)
    assert [s.key for s in fired] == ["place:S1:C04-01"]


def test_a_burst_spread_over_a_street_is_reported_once_for_the_street():
    burst = [rec(hours_ago(i), place=f"S3-{1 + i % 3}", category="C03-01") for i in range(15)]
    signals = detect_bursts(BACKGROUND + burst, NOW, T)
    assert [s.key for s in signals] == ["place:S3:C03-01"]


def test_the_season_table_expects_more_and_a_seasonal_rise_is_not_a_burst():
    rise = [rec(hours_ago(i * 2), place="S1-3", category="C02-01") for i in range(10)]
    assert detect_bursts(BACKGROUND + rise, NOW, T)
    from fengqiao.warnings.thresholds import SeasonFactor

    festive = dataclasses.replace(T, seasons=(SeasonFactor("C02", "2026-12-01", "2026-12-10", 25.0),))
    assert detect_bursts(BACKGROUND + rise, NOW, festive) == []


def test_keys_are_stable_as_the_phenomenon_goes_on():
    burst = [rec(hours_ago(12 - i), place="S2-3", category="C02-01") for i in range(8)]
    first = detect(BACKGROUND + burst, now=NOW, district=DISTRICT)
    later = NOW + dt.timedelta(hours=5)
    more = [rec(later - dt.timedelta(hours=i), place="S2-3", category="C02-01") for i in range(4)]
    second = detect(BACKGROUND + burst + more, now=later, district=DISTRICT)
    assert [s.key for s in first] == [s.key for s in second] == ["place:S2:C02-01"]
    assert second[0].count > first[0].count


def test_near_identical_texts_from_many_residents_cluster_and_different_texts_do_not():
    places = ("S1-1", "S2-2", "S3-3", "S1-3")
    copies = [
        rec(
            hours_ago(30 - 3 * i),
            place=places[i % 4],
            category=CATEGORIES[i % 5],
            fingerprint=text_fingerprint(copy_of(FIREWORKS, i)),
        )
        for i in range(8)
    ]
    signals = detect_clusters(BACKGROUND + copies, NOW, T, district=DISTRICT)
    assert len(signals) == 1
    s = signals[0]
    assert s.kind == "cluster" and s.key == f"text:{copies[0].case_id}"
    assert set(s.case_ids) == {r.case_id for r in copies}
    assert s.place == DISTRICT  # spread over three streets
    different = [
        rec(hours_ago(30 - 3 * i), place=places[i % 4], category=CATEGORIES[i % 5], fingerprint=text_fingerprint(t))
        for i, t in enumerate(DIFFERENT)
    ]
    assert detect_clusters(BACKGROUND + different, NOW, T) == []


def test_one_person_copying_a_text_is_not_a_cluster_of_residents():
    copies = [
        rec(hours_ago(20 - i), place="S1-1", complainant="same", fingerprint=text_fingerprint(copy_of(FIREWORKS, i)))
        for i in range(6)
    ]
    assert detect_clusters(BACKGROUND + copies, NOW, T) == []


def test_wage_arrears_against_one_firm_is_one_warning_about_the_firm():
    wages = "我们是某建筑工地的农民工，老板拖欠我们三个月工资，共计三百多人，多次讨要无果，恳请劳动监察部门帮忙讨薪。"
    workers = [
        rec(
            hours_ago(40 - 4 * i),
            place="S2-1" if i % 3 else f"S{1 + i % 3}-2",
            category="C07-02",
            respondent="某某建筑工程",
            fingerprint=text_fingerprint(copy_of(wages, i)),
        )
        for i in range(9)
    ]
    collective = rec(hours_ago(5), place="S2-1", category="C07-02", respondent="某某建筑工程", people=300)
    signals = detect(BACKGROUND + workers + [collective], now=NOW, district=DISTRICT)
    assert len(signals) == 1, [(s.kind, s.key) for s in signals]
    s = signals[0]
    assert s.key == "respondent:某某建筑工程" and s.respondent == "某某建筑工程"
    assert s.level == "red"  # 300 people
    assert {r.case_id for r in workers} | {collective.case_id} <= set(s.case_ids)


def test_a_respondent_that_always_draws_complaints_is_not_news():
    steady = [rec(hours_ago(24 * d + 3), place="S1-1", respondent="水电燃气") for d in range(1, 90)]
    week = [rec(hours_ago(24 * d + 9), place="S1-2", respondent="水电燃气") for d in range(0, 6)]
    assert detect_respondents(BACKGROUND + steady + week, NOW, T) == []
    sudden = [rec(hours_ago(i * 6), place=f"S{1 + i % 3}-1", respondent="新开的健身房") for i in range(7)]
    assert [s.key for s in detect_respondents(BACKGROUND + sudden, NOW, T)] == ["respondent:新开的健身房"]


def test_a_repeat_complainant_about_one_matter_and_not_about_three_different_things():
    same = [rec(hours_ago(24 * d), complainant="k1", category="C01-02") for d in (1, 8, 20)]
    signals = detect_repeats(BACKGROUND + same, NOW, T)
    assert [s.key for s in signals] == ["complainant:k1"]
    assert signals[0].count == 3 and signals[0].level == "yellow"
    varied = [
        rec(hours_ago(24 * d), complainant="k2", category=c) for d, c in ((1, "C01-01"), (8, "C02-01"), (20, "C03-01"))
    ]
    assert detect_repeats(BACKGROUND + varied, NOW, T) == []
    old = [rec(hours_ago(24 * d), complainant="k3", category="C01-02") for d in (1, 8, 40)]  # one is outside 30 days
    assert detect_repeats(BACKGROUND + old, NOW, T) == []
    assert detect_repeats(BACKGROUND + same, NOW, dataclasses.replace(T, repeat_min_count=4)) == []


def test_collective_cases_by_people_and_by_cases_adding_up():
    big = rec(hours_ago(2), place="S3-2", category="C01-02", people=30)
    small = rec(hours_ago(2), place="S3-2", category="C01-02", people=4)
    signals = detect_collective([*BACKGROUND, big, small], NOW, T)
    assert [(s.key, s.level) for s in signals] == [("place:S3:C01-02", "orange")]
    adding_up = [rec(hours_ago(10 * i), place="S1-3", category="C03-01", people=4) for i in range(3)]
    assert [s.key for s in detect_collective(BACKGROUND + adding_up, NOW, T)] == ["place:S1:C03-01"]
    assert detect_collective([*BACKGROUND, big], NOW, dataclasses.replace(T, collective_min_people=40)) == []


def test_red_cases_open_too_long():
    slow = rec(hours_ago(50), grade="red", is_open=True)
    slower = rec(hours_ago(130), grade="red", is_open=True)
    fine = [
        rec(hours_ago(20), grade="red", is_open=True),
        rec(hours_ago(80), grade="red", is_open=False),
        rec(hours_ago(80), grade="yellow", is_open=True),
    ]
    signals = detect_red_open([*BACKGROUND, slow, slower, *fine], NOW, T)
    assert sorted((s.key, s.level) for s in signals) == sorted(
        [(f"case:{slow.case_id}", "orange"), (f"case:{slower.case_id}", "red")]
    )


def test_grades_drifting_upward_in_a_street():
    drift = [rec(hours_ago(i * 1.5), place=f"S2-{1 + i % 3}", grade="yellow" if i % 2 else "red") for i in range(30)]
    signals = detect_drift(BACKGROUND + drift, NOW, T)
    assert [s.key for s in signals] == ["drift:S2"]
    assert signals[0].reason["args"]["after"] > signals[0].reason["args"]["before"]
    steady = [rec(hours_ago(i * 1.5), place=f"S2-{1 + i % 3}", grade="green") for i in range(30)]
    assert detect_drift(BACKGROUND + steady, NOW, T) == []


def test_records_after_now_are_ignored_and_older_ones_only_count_as_red_cases_still_open():
    future = [rec(NOW + dt.timedelta(hours=i + 1), place="S2-3", category="C02-01") for i in range(10)]
    assert detect(BACKGROUND + future, now=NOW, district=DISTRICT) == []
    # The runner passes, from before the history, only red cases still open: those are flagged however old;
    # old records count for nothing else (here a burst that would fire inside the history).
    ancient_red = rec(NOW - dt.timedelta(days=200), grade="red", is_open=True)
    ancient_burst = [rec(NOW - dt.timedelta(days=150, hours=i), place="S2-3", category="C02-01") for i in range(10)]
    signals = detect(BACKGROUND + ancient_burst + [ancient_red], now=NOW, district=DISTRICT)
    assert [(s.kind, s.case_ids) for s in signals] == [("red_open", (ancient_red.case_id,))]


def test_thresholds_are_data_and_come_back_from_a_stored_dict():
    stored = dataclasses.replace(T, burst_min_count=7, burst_windows_h=(12, 48)).to_dict()
    stored["unknown_old_key"] = 1
    stored["repeat_min_count"] = "4"
    back = Thresholds.from_dict(stored)
    assert back.burst_min_count == 7 and back.burst_windows_h == (12, 48) and back.repeat_min_count == 4
    assert back.seasons == T.seasons
    assert Thresholds.from_dict(None) == T


def test_negative_binomial_tail():
    assert nb_tail(0, 3.0, 0.3) == 1.0
    assert nb_tail(5, 0.05, 0.0) == pytest.approx(2.6e-9, rel=0.05)  # Poisson
    assert nb_tail(10, 2.0, 0.3) > nb_tail(10, 2.0, 0.0)  # over-dispersion makes a count less surprising


# ---------------------------------------------------------------------------------------------------------------
# Properties

SMALL = background(seed=3, per_day=6, days=40)
_record = st.builds(
    rec,
    st.integers(-3 * 24, 100 * 24).map(lambda h: hours_ago(h)),
    place=st.sampled_from(["S1-1", "S2-2", "S3", DISTRICT, ""]),
    category=st.sampled_from(["", "C01-01", "C02-01"]),
    respondent=st.sampled_from(["", "甲公司", "乙"]),
    complainant=st.sampled_from(["", "a", "b", "c"]),
    people=st.integers(-1, 500),
    grade=st.sampled_from(["red", "yellow", "green", "", "odd"]),
    is_open=st.booleans(),
    fingerprint=st.sampled_from([0, 1, -1, text_fingerprint(FIREWORKS), text_fingerprint(copy_of(FIREWORKS, 2))]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_record, max_size=60), st.sampled_from([Thresholds(), dataclasses.replace(T, burst_min_count=1)]))
def test_detect_never_raises_and_signals_are_well_formed(extra, thresholds):
    signals = detect(SMALL + extra, now=NOW, district=DISTRICT, thresholds=thresholds)
    keys = [s.key for s in signals]
    assert len(keys) == len(set(keys))
    for s in signals:
        assert s.level in ("red", "orange", "yellow") and s.kind in (
            "burst",
            "cluster",
            "respondent",
            "repeat",
            "collective",
            "red_open",
            "drift",
        )
        assert 0 < len(s.case_ids) <= thresholds.max_evidence or s.kind == "drift"
        assert len(s.series) == thresholds.series_days


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_the_order_of_the_records_does_not_matter(rnd):
    burst = [rec(hours_ago(i), place="S2-3", category="C02-01") for i in range(8)]
    copies = [
        rec(hours_ago(30 - 3 * i), place="S1-1", fingerprint=text_fingerprint(copy_of(FIREWORKS, i))) for i in range(6)
    ]
    records = SMALL + burst + copies + [rec(hours_ago(60), grade="red", is_open=True)]
    expected = detect(records, now=NOW, district=DISTRICT)
    shuffled = records[:]
    rnd.shuffle(shuffled)
    assert detect(shuffled, now=NOW, district=DISTRICT) == expected
    assert len(expected) >= 3


def test_a_burst_that_spreads_from_a_community_over_its_street_keeps_its_key():
    start = [rec(hours_ago(8 - i), place="S3-1", category="C03-01") for i in range(8)]
    first = detect(BACKGROUND + start, now=NOW, district=DISTRICT)
    assert [(s.key, s.place) for s in first] == [("place:S3:C03-01", "S3-1")]
    later = NOW + dt.timedelta(hours=12)
    spread = [rec(later - dt.timedelta(hours=i / 2), place=f"S3-{2 + i % 2}", category="C03-01") for i in range(16)]
    second = detect(BACKGROUND + start + spread, now=later, district=DISTRICT)
    assert [s.key for s in second] == ["place:S3:C03-01"]
    assert set(second[0].case_ids) >= {r.case_id for r in start + spread}
