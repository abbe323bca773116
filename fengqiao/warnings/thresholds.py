"""Every threshold of the early-warning detectors, as data.

``Thresholds`` is a frozen dataclass with a default for every field (``DEFAULT_THRESHOLDS``). An administrator's
overrides are stored as a plain dict (``Thresholds.from_dict`` ignores unknown keys and coerces types, so an old
stored dict keeps working when a field is added). The defaults were tuned with ``./fq bench --warnings`` on
a tuning seed (see bench/warnings.py) and the bench reports on other seeds.

Levels follow the national three colours of 预警 (yellow < orange < red): each detector raises yellow when its
rule holds, orange and red at the larger sizes given here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SeasonFactor:
    """Demands of `category` (a category code or the start of one; "" = all) are expected `factor` times their
    usual rate between `start` and `end` (ISO dates, inclusive; yearly dates as "MM-DD").

    With 90 days of history a detector cannot learn a yearly season by itself; this table says what the
    district knows: the Spring Festival's fireworks, summer's noise. Lunar holidays move, so they are listed
    with full dates per year.
    """

    category: str
    start: str
    end: str
    factor: float

    def applies_to(self, category: str) -> bool:
        return not self.category or category.startswith(self.category)

    def covers_day(self, day: dt.date) -> bool:
        if len(self.start) == 5:  # yearly "MM-DD"
            md = day.strftime("%m-%d")
            if self.start <= self.end:
                return self.start <= md <= self.end
            return md >= self.start or md <= self.end
        return self.start <= day.isoformat() <= self.end

    def covers(self, day: dt.date, category: str) -> bool:
        return self.applies_to(category) and self.covers_day(day)


# Spring Festival eve to the Lantern Festival (除夕—元宵), when fireworks are expected; summer evenings' noise.
DEFAULT_SEASONS: tuple[SeasonFactor, ...] = (
    SeasonFactor("", "2026-02-16", "2026-03-03", 0.8),  # the holiday: fewer demands overall
    SeasonFactor("", "2027-02-05", "2027-02-20", 0.8),
    SeasonFactor("", "2028-01-25", "2028-02-09", 0.8),
    # categories by code as the shipped catalogue is loaded (C01 城乡建设, C02 环境保护, …: fengqiao.core.demo)
    SeasonFactor("C02", "06-15", "09-15", 1.3),  # 环境保护 in summer: noise and smells
    SeasonFactor("C01", "06-15", "09-15", 1.1),  # 城乡建设 in summer: building sites at night
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    # ---- general ---------------------------------------------------------------------------------------------
    history_days: int = 90  # the records a pass sees: the district's last 90 days
    series_days: int = 30  # days in a signal's small chart
    max_evidence: int = 200  # case ids kept as evidence, newest first

    # ---- bursts of similar demands in a place or category (detect_bursts) -----------------------------------
    burst_windows_h: tuple[int, ...] = (24, 72, 168)  # recent windows tested, in hours
    burst_min_count: int = 5  # cases from fewer applicants in a window are never a burst (1 → 3 is not one)
    burst_min_ratio: float = 3.0  # and at least this many times what the baseline expects
    burst_p_value: float = 1e-4  # and this unlikely under the baseline (negative-binomial upper tail)
    burst_dispersion: float = 0.15  # NB over-dispersion α (variance = μ + α μ²): demands come in small bunches
    burst_floor_per_day: float = 0.05  # baseline rate of a place/category with (almost) no history
    burst_weekday_prior: float = 8.0  # pseudo-count pulling a group's own weekday profile to the district's
    burst_trend_clamp: tuple[float, float] = (0.67, 1.5)  # how far the district's recent level may move the baseline
    burst_orange_count: int = 15  # applicants in the window for an orange warning
    burst_red_count: int = 40  # … and for a red one
    seasons: tuple[SeasonFactor, ...] = field(default=DEFAULT_SEASONS)

    # ---- clusters of near-identical texts (detect_clusters) --------------------------------------------------
    cluster_max_distance: int = 7  # fingerprints differing in at most this many of 16 slots are "the same words"
    cluster_band_slots: int = 3  # slots per bucket band (5 bands of 3): larger is faster but misses more pairs
    cluster_window_h: int = 168  # members counted in the last week
    cluster_min_size: int = 5  # near-identical cases in the window
    cluster_min_complainants: int = 3  # distinct applicants (one person's copies are a repeat complainant)
    cluster_max_share_one: float = 0.5  # and no applicant wrote more than this share of them
    cluster_min_ratio: float = 3.0  # recent members vs what the cluster's older members would predict
    cluster_max_bucket: int = 400  # a bucket larger than this (a form letter's band) is skipped: other bands link
    cluster_orange_count: int = 15  # members for orange
    cluster_red_count: int = 40  # members for red

    # ---- many cases against one respondent (detect_respondents) ----------------------------------------------
    respondent_window_h: int = 168  # cases counted in the last week
    respondent_min_count: int = 5  # at least this many against one respondent
    respondent_min_ratio: float = 3.0  # vs the respondent's own rate before the window
    respondent_floor_per_day: float = 0.05  # expected rate of a respondent never seen before
    respondent_p_value: float = 1e-4  # negative-binomial tail (dispersion: burst_dispersion)
    respondent_orange_count: int = 10  # cases for orange
    respondent_red_count: int = 30  # cases for red
    respondent_red_people: int = 100  # or this many people in the window's cases

    # ---- repeat complainants (detect_repeats) ----------------------------------------------------------------
    repeat_window_days: int = 30  # the applicant's cases of the last month
    repeat_min_count: int = 3  # cases about one matter (one category, or near-identical texts)
    repeat_any_count: int = 6  # or this many about anything
    repeat_orange_count: int = 5  # cases for orange
    repeat_red_count: int = 8  # cases for red

    # ---- collective cases (detect_collective) ----------------------------------------------------------------
    collective_window_h: int = 72  # new collective cases and sums looked at
    collective_min_people: int = 5  # one case with this many people is collective (群体性)
    collective_sum_people: int = 10  # or several cases of one place and category adding up to this many
    collective_sum_min_cases: int = 3  # at least this many cases to add up
    collective_sum_min_each: int = 2  # counting only cases of several people
    collective_orange_people: int = 20  # people for orange
    collective_red_people: int = 50  # people for red

    # ---- red cases open too long (detect_red_open) -----------------------------------------------------------
    red_open_hours: int = 48  # a red case still open this long after submission: orange
    red_open_red_hours: int = 120  # still open after this long: red

    # ---- grades drifting upward in a region (detect_drift) ---------------------------------------------------
    drift_windows_days: tuple[int, ...] = (1, 3, 7)  # recent windows tested, in days
    drift_baseline_days: int = 28  # before the longest window
    drift_min_recent: int = 20  # cases in the recent window
    drift_min_baseline: int = 30  # cases in the baseline days
    drift_min_delta: float = 0.15  # share of red+yellow up by at least this much (absolute)
    drift_p_value: float = 1e-4  # binomial tail of the recent count under the baseline share
    drift_orange_delta: float = 0.25  # rise of the share for orange
    drift_red_delta: float = 0.35  # rise for red

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["seasons"] = [dataclasses.asdict(s) for s in self.seasons]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Thresholds:
        """Defaults overridden by `data` (unknown keys ignored, values coerced to the field's type)."""
        base = cls()
        if not data:
            return base
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value, default = data[f.name], getattr(base, f.name)
            if f.name == "seasons":
                changes[f.name] = tuple(
                    SeasonFactor(str(s["category"]), str(s["start"]), str(s["end"]), float(s["factor"])) for s in value
                )
            elif isinstance(default, tuple):
                changes[f.name] = tuple(type(default[0])(v) for v in value)
            elif isinstance(default, bool):
                changes[f.name] = bool(value)
            else:
                changes[f.name] = type(default)(value)
        return dataclasses.replace(base, **changes)


DEFAULT_THRESHOLDS = Thresholds()
