"""The early-warning detectors (民意雷达): pure functions over a district's recent cases.

``detect(records, now=..., thresholds=..., district=...)`` runs every detector over the district's last 90 days
of ``Record``s and returns ``Signal``s. Nothing here reads the database, the clock or the settings: the caller
(fengqiao.warnings.tasks) builds the records, passes ``now`` and the thresholds (``thresholds.py``, data), and
turns signals into warnings. The same ongoing phenomenon gives the same ``Signal.key`` run after run, so the
caller updates its open warning instead of raising another.

Keys name the *subject* of a phenomenon, not the detector that saw it, so that two detectors seeing one thing
give one signal:

- ``place:<street>:<category>`` — bursts of a category in a community or its street (keyed by the street, so a
  burst that spreads from one community over the street stays one warning; ``place:<district>:…`` for the
  district), collective cases and several cases adding up to many people there;
- ``respondent:<key>`` — many cases against one respondent, and near-identical texts naming one respondent
  (the wage-arrears pattern);
- ``text:<case id>`` — near-identical texts spread over places (named by the cluster's first case);
- ``complainant:<key>`` — a repeat complainant;
- ``case:<id>`` — one red case open too long (or a collective case without a category);
- ``drift:<street>`` — grades drifting upward in a street or one of its communities (or the district).

Signals with the same key are merged (highest level, union of the evidence). Then the "content" signals
(bursts, clusters, respondents, collective) that share most of their evidence are merged into one, keeping the
key of the more lasting subject (respondent, then text, then place, then case). Repeat complainants, red cases
open too long and drift are separate phenomena and never merged with others.

Times: a day is a calendar day in China Standard Time (UTC+8, no daylight saving since 1991), computed with a
fixed offset so that 100,000 records cost no time-zone look-ups.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from fengqiao.core.reasons import reason

from .fingerprint import MASK, SLOT_BITS, band_keys, distance
from .thresholds import DEFAULT_THRESHOLDS, SeasonFactor, Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Record",
    "Signal",
    "Thresholds",
    "detect",
    "detect_bursts",
    "detect_clusters",
    "detect_collective",
    "detect_drift",
    "detect_red_open",
    "detect_repeats",
    "detect_respondents",
]

KINDS = ("burst", "cluster", "respondent", "repeat", "collective", "red_open", "drift")
LEVELS = ("yellow", "orange", "red")
_RANK = {level: i for i, level in enumerate(LEVELS)}
CST = 8 * 3600  # China Standard Time, seconds east of UTC
DAY = 86400
HOUR = 3600
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Record:
    """One case as the detectors see it (built by the caller from its lean table)."""

    case_id: int
    at: dt.datetime  # submitted_at (aware)
    place: str  # code of the smallest region (community or street)
    street: str  # code of its street ("" if the case is placed at district level)
    category: str  # category code, "" when none
    respondent: str  # fingerprint.respondent_key(name), "" when none
    complainant: str  # keyed hash of the applicant's phone, "" when none
    people: int
    grade: str  # "red" | "yellow" | "green"
    is_open: bool
    fingerprint: int  # fingerprint.text_fingerprint(title + description)


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str  # one of KINDS
    key: str  # identity of the phenomenon (see the module's docstring)
    level: str  # "red" | "orange" | "yellow"
    place: str  # region code the warning is about (community, street or the district)
    category: str
    respondent: str
    case_ids: tuple[int, ...]  # evidence, newest first, at most Thresholds.max_evidence
    series: tuple[tuple[str, int], ...]  # (ISO day, count) for the small chart
    reason: dict  # fengqiao.core.reasons.reason(...)
    started_at: dt.datetime  # first case of the phenomenon
    count: int  # how many cases now


# --------------------------------------------------------------------------------------------------------------
# The prepared view: timestamps computed once per pass, shared by the detectors.


class _View:
    """The pass's records in time order (ties by case id, whatever order the caller gave), their timestamps,
    and — computed when a detector first asks — their local day and hour of the week."""

    __slots__ = ("_days", "_hours", "district", "now", "now_s", "older", "older_ts", "records", "start_s", "ts")

    def __init__(self, records: Iterable[Record], now: dt.datetime, t: Thresholds, district: str):
        self.now = now
        self.now_s = now.timestamp()
        self.start_s = self.now_s - t.history_days * DAY
        self.district = district
        recs = list(records)
        ts = [r.at.timestamp() for r in recs]
        ordered = all(
            a < b or (a == b and ra.case_id <= rb.case_id)
            for a, b, ra, rb in zip(ts, ts[1:], recs, recs[1:], strict=False)
        )
        if not ordered:
            pairs = sorted(zip(ts, recs, strict=True), key=lambda p: (p[0], p[1].case_id))
            ts = [p[0] for p in pairs]
            recs = [p[1] for p in pairs]
        lo, hi = bisect_left(ts, self.start_s), bisect_right(ts, self.now_s)
        self.ts = ts[lo:hi]
        self.records = recs[lo:hi]
        # Records from before the history (the caller passes only red cases still open): for `detect_red_open`.
        self.older_ts, self.older = ts[:lo], recs[:lo]
        self._days: list[int] | None = None
        self._hours: list[int] | None = None

    def since(self, seconds_ago: float) -> int:
        """Index of the first record at or after now - seconds_ago."""
        return bisect_left(self.ts, self.now_s - seconds_ago)

    @property
    def days(self) -> list[int]:
        """Local (UTC+8) day number of each record."""
        if self._days is None:
            self._days = [int((s + CST) // DAY) for s in self.ts]
        return self._days

    @property
    def hours(self) -> list[int]:
        """Hour of the week of each record: weekday × 24 + hour, Monday 0 h = 0 (local time)."""
        if self._hours is None:
            # 1970-01-01 00:00 local was a Thursday: 3 days (72 hours) into the week
            self._hours = [(int((s + CST) // HOUR) + 72) % 168 for s in self.ts]
        return self._hours


def _view(records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds, district: str = "") -> _View:
    return records if isinstance(records, _View) else _View(records, now, t, district)


def _day(seconds: float) -> int:
    return int((seconds + CST) // DAY)


def _iso(day: int) -> str:
    return (_EPOCH + dt.timedelta(days=day)).isoformat()


def _weekday(day: int) -> int:
    return (day + 3) % 7  # 1970-01-01 was a Thursday (3)


def _evidence(records: Iterable[Record], t: Thresholds) -> tuple[int, ...]:
    ordered = sorted(records, key=lambda r: (r.at, r.case_id), reverse=True)
    return tuple(r.case_id for r in ordered[: t.max_evidence])


def _level(value: float, orange: float, red: float) -> str:
    return "red" if value >= red else "orange" if value >= orange else "yellow"


def _fmt(x: float) -> str:
    if x == int(x):
        return str(int(x))
    return f"{x:.1f}" if x < 10 else str(round(x))


def _first_at(records: Iterable[Record]) -> dt.datetime:
    return min(r.at for r in records)


def _subject_region(r: Record, district: str) -> str:
    """The region a place-and-category phenomenon is keyed by: the case's street (a burst that starts in one
    community and spreads over its street stays one warning), or the district for cases placed there."""
    return r.street or r.place or district


def _applicants(records: Iterable[Record]) -> int:
    """Distinct applicants among the cases (a case without a known applicant counts as one)."""
    known: set[str] = set()
    unknown = 0
    for r in records:
        if r.complainant:
            known.add(r.complainant)
        else:
            unknown += 1
    return len(known) + unknown


def _place_of(records: Sequence[Record], district: str, share: float = 0.6) -> str:
    """The most specific region holding at least `share` of the cases: a community, a street, or the district."""
    n = len(records)
    for attr in ("place", "street"):
        counts: dict[str, int] = defaultdict(int)
        for r in records:
            code = getattr(r, attr)
            if code:
                counts[code] += 1
        if counts:
            code, c = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
            if c >= share * n:
                return code
    return district


def _dominant(values: Iterable[str], n: int, share: float = 0.5) -> str:
    counts: dict[str, int] = defaultdict(int)
    for v in values:
        if v:
            counts[v] += 1
    if not counts:
        return ""
    v, c = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return v if c >= share * n else ""


# --------------------------------------------------------------------------------------------------------------
# Tail probabilities (robust to sparse counts: no mean + k·sd).


def nb_tail(c: int, mu: float, alpha: float) -> float:
    """P(X ≥ c) for a negative binomial with mean `mu` and over-dispersion `alpha` (Poisson when alpha = 0)."""
    if c <= 0:
        return 1.0
    mu = max(mu, 1e-9)
    if alpha <= 0:
        logp = -mu + c * math.log(mu) - math.lgamma(c + 1)
        step = lambda k: mu / (k + 1)  # noqa: E731
    else:
        r = 1.0 / alpha
        q = mu / (r + mu)
        logp = math.lgamma(c + r) - math.lgamma(r) - math.lgamma(c + 1) + r * math.log(r / (r + mu)) + c * math.log(q)
        step = lambda k: (k + r) / (k + 1) * q  # noqa: E731
    term = math.exp(logp)
    total, k = term, c
    while term > total * 1e-12 and k < c + 100_000:
        term *= step(k)
        k += 1
        total += term
        if term == 0.0:
            break
    return min(1.0, total)


def binom_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    p = min(max(p, 1e-9), 1 - 1e-9)
    logp = (
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log(1 - p)
    )
    term = math.exp(logp)
    total = term
    for j in range(k, n):
        term *= (n - j) / (j + 1) * p / (1 - p)
        total += term
        if term <= total * 1e-12:
            break
    return min(1.0, total)


# --------------------------------------------------------------------------------------------------------------
# Bursts of a category in a place, against the place's own baseline.


class _Profile:
    """The district's rhythm over the baseline period: expected volume per (weekday, hour), an average day = 1."""

    def __init__(self, v: _View, base_from: float, base_to: float, t: Thresholds):
        counts = [1.0] * 168  # one pseudo-case per hour of the week: a flat profile when data is scarce
        i0, i1 = bisect_left(v.ts, base_from), bisect_left(v.ts, base_to)
        for h in v.hours[i0:i1]:
            counts[h] += 1.0
        cells = [counts[w * 24 : (w + 1) * 24] for w in range(7)]
        days_per_weekday = [0.0] * 7
        for day, frac in self._days(base_from, base_to):
            days_per_weekday[_weekday(day)] += frac
        # cells as expected cases per hour of such a weekday, then scaled so that an average day sums to 1
        for w in range(7):
            n = max(days_per_weekday[w], 1.0)
            cells[w] = [c / n for c in cells[w]]
        mean_day = sum(sum(row) for row in cells) / 7.0
        self.cells = [[c / mean_day for c in row] for row in cells]

    @staticmethod
    def _days(a: float, b: float) -> list[tuple[int, float]]:
        out = []
        d0, d1 = _day(a), _day(b)
        for d in range(d0, d1 + 1):
            lo = max(a, d * DAY - CST)
            hi = min(b, (d + 1) * DAY - CST)
            if hi > lo:
                out.append((d, (hi - lo) / DAY))
        return out

    def exposure(self, a: float, b: float) -> list[float]:
        """Expected share of an average day's volume in [a, b), per weekday."""
        per = [0.0] * 7
        h = math.floor((a + CST) / HOUR)
        end = (b + CST) / HOUR
        while h < end:
            lo = max(h, (a + CST) / HOUR)
            hi = min(h + 1, end)
            if hi > lo:
                day, hour = divmod(h, 24)
                w = _weekday(day)
                per[w] += self.cells[w][hour] * (hi - lo)
            h += 1
        return per


class _Seasons:
    """The season table's factors per category and day over one pass's days (each entry checked once a day)."""

    def __init__(self, seasons: tuple[SeasonFactor, ...], first_day: int, last_day: int):
        self.first = first_day
        self.entries = [
            (s, [s.covers_day(_EPOCH + dt.timedelta(days=d)) for d in range(first_day, last_day + 1)]) for s in seasons
        ]
        self.cache: dict[tuple[str, int, int], float] = {}

    def mean(self, category: str, a: float, b: float) -> float:
        """Mean factor of `category` over the days of [a, b)."""
        d0, d1 = _day(a), _day(b - 1)
        key = (category, d0, d1)
        if key not in self.cache:
            applying = [days for s, days in self.entries if s.applies_to(category)]
            factors = [s.factor for s, _ in self.entries if s.applies_to(category)]
            if not applying:
                self.cache[key] = 1.0
            else:
                total = 0.0
                for d in range(d0, d1 + 1):
                    f = 1.0
                    i = d - self.first
                    for days, factor in zip(applying, factors, strict=True):
                        if 0 <= i < len(days) and days[i]:
                            f *= factor
                    total += f
                self.cache[key] = total / (d1 - d0 + 1)
        return self.cache[key]


def detect_bursts(
    records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds = DEFAULT_THRESHOLDS, *, district: str = ""
) -> list[Signal]:
    """A category rising in a community, a street or the district against that place's own baseline.

    Baseline: the group's cases from 90 days ago up to the longest window, turned into a rate with the
    district's weekday × hour rhythm (learned over the same days) and the group's own weekday profile shrunk
    towards the district's (a Monday that is always busy is expected to be busy). Season: the ratio of the
    ``seasons`` table's factor over the window to its mean over the baseline, and a trend term: the district's
    volume over the last week against its baseline (clamped). A window fires when its cases come from at least
    ``burst_min_count`` applicants (one person writing six times is a repeat complainant, not a burst), that
    count is ``burst_min_ratio`` times the expected count, and its negative-binomial upper tail is below
    ``burst_p_value``. A community and its street share one key (merged into one signal about the street when
    both fire); the district is not reported for a category a street or community already is.
    """
    v = _view(records, now, t, district)
    if not v.records:
        return []
    longest = max(t.burst_windows_h) * HOUR
    base_from, base_to = v.start_s, v.now_s - longest
    if base_to <= base_from:
        base_to = base_from
    profile = _Profile(v, base_from, base_to, t)
    base_exp = profile.exposure(base_from, base_to) if base_to > base_from else [0.0] * 7
    win_exp = {w: profile.exposure(v.now_s - w * HOUR, v.now_s) for w in t.burst_windows_h}
    total_base_exp = sum(base_exp)
    seasons = _Seasons(t.seasons, _day(v.start_s), _day(v.now_s))

    base: dict[tuple[str, str], list[int]] = {}
    recent: dict[tuple[str, str], list[tuple[float, Record]]] = defaultdict(list)
    streets: dict[str, str] = {}
    district = v.district
    n_base = 0
    week_total = 0
    for s, r, how in zip(v.ts, v.records, v.hours, strict=True):
        if not r.category:
            continue
        groups = [(r.place, r.category)] if r.place else []
        if r.street and r.street != r.place:
            groups.append((r.street, r.category))
            streets[r.place] = r.street
        groups.append((district, r.category))
        if s < base_to:
            n_base += 1
            w = how // 24
            for g in groups:
                row = base.get(g)
                if row is None:
                    row = base[g] = [0] * 7
                row[w] += 1
        else:
            for g in groups:
                recent[g].append((s, r))
        if s >= v.now_s - 7 * DAY:
            week_total += 1

    # trend: the district's volume in the last week (categorised cases) against its baseline rate
    trend = 1.0
    if total_base_exp > 0 and n_base > 0:
        week_exp = sum(profile.exposure(v.now_s - 7 * DAY, v.now_s))
        expected_week = n_base / total_base_exp * week_exp
        if expected_week > 0:
            lo, hi = t.burst_trend_clamp
            trend = min(hi, max(lo, week_total / expected_week))

    fired: dict[tuple[str, str], tuple[float, int, float, list[Record], int]] = {}
    for g, items in recent.items():
        if len(items) < t.burst_min_count:
            continue
        row = base.get(g, [0] * 7)
        n_g = sum(row)
        # the group's weekday profile, shrunk towards the district's
        adj = [1.0] * 7
        if n_g and total_base_exp > 0:
            for w in range(7):
                e = n_g * base_exp[w] / total_base_exp
                adj[w] = (row[w] + t.burst_weekday_prior * base_exp[w] / max(total_base_exp / 7, 1e-9)) / (
                    e + t.burst_weekday_prior * base_exp[w] / max(total_base_exp / 7, 1e-9)
                )
        exp_base = sum(a * e for a, e in zip(adj, base_exp, strict=True))
        rate = n_g / exp_base if exp_base > 0 else 0.0
        rate = max(rate, t.burst_floor_per_day)
        best = None
        for w_h in t.burst_windows_h:
            a = v.now_s - w_h * HOUR
            c = _applicants(r for s, r in items if s >= a)
            if c < t.burst_min_count:
                continue
            mu = rate * sum(x * e for x, e in zip(adj, win_exp[w_h], strict=True)) * trend
            mu *= seasons.mean(g[1], a, v.now_s) / seasons.mean(g[1], base_from, max(base_to, base_from + DAY))
            if c < t.burst_min_ratio * mu:
                continue
            p = nb_tail(c, mu, t.burst_dispersion)
            if p > t.burst_p_value:
                continue
            if best is None or p < best[0]:
                best = (p, c, mu, [r for s, r in items if s >= a], w_h)
        if best is not None:
            fired[g] = best

    # communities and their street share a key (one signal, merged below); the district is not reported for a
    # category a street or community already reports
    fired_below_district = {cat for (place, cat) in fired if place != district}
    signals = []
    for g, (_p, c, mu, cases, w_h) in sorted(fired.items()):
        place, cat = g
        if place == district and cat in fired_below_district:
            continue
        signals.append(
            Signal(
                kind="burst",
                key=f"place:{streets.get(place, place)}:{cat}",
                level=_level(c, t.burst_orange_count, t.burst_red_count),
                place=place,
                category=cat,
                respondent=_dominant((r.respondent for r in cases), len(cases)),
                case_ids=_evidence(cases, t),
                series=(),
                reason=reason(
                    gettext_noop(
                        "%(count)s demands of this category in the last %(hours)s hours, where %(expected)s were expected "
                        "from this place's usual rate"
                    ),
                    count=c,
                    hours=w_h,
                    expected=_fmt(mu),
                ),
                started_at=_first_at(cases),
                count=c,
            )
        )
    by_key: dict[str, Signal] = {}
    for sig in signals:
        by_key[sig.key] = _merge_two(by_key[sig.key], sig, t, key=sig.key) if sig.key in by_key else sig
    return list(by_key.values())


# --------------------------------------------------------------------------------------------------------------
# Clusters of near-identical texts.


def detect_clusters(
    records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds = DEFAULT_THRESHOLDS, *, district: str = ""
) -> list[Signal]:
    """Many residents writing nearly the same words: fingerprints differing in at most ``cluster_max_distance``
    of their 16 slots (fingerprint.distance).

    The last ``cluster_window_h`` hours are grouped with a union-find over band buckets (``cluster_band_slots``
    slots per band: near-identical texts share a whole band), so no pair outside a bucket is ever compared.
    Older cases of the 90 days only count as the cluster's baseline (looked up in the same buckets). A cluster
    fires with at least ``cluster_min_size`` recent members from ``cluster_min_complainants`` applicants
    (cases without a known applicant count as distinct) and ``cluster_min_ratio`` times its own older rate.
    """
    v = _view(records, now, t, district)
    k = t.cluster_max_distance
    slots = max(1, t.cluster_band_slots)

    i0 = v.since(t.cluster_window_h * HOUR)
    recent = [r for r in v.records[i0:] if r.fingerprint]
    if len(recent) < t.cluster_min_size:
        return []
    by_fp: dict[int, list[Record]] = defaultdict(list)
    for r in recent:
        by_fp[r.fingerprint & MASK].append(r)
    fps = sorted(by_fp)
    parent = {fp: fp for fp in fps}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    buckets: dict[int, list[int]] = defaultdict(list)
    for fp in fps:
        for band in band_keys(fp, slots):
            buckets[band].append(fp)
    for members in buckets.values():
        if len(members) < 2 or len(members) > t.cluster_max_bucket:
            continue
        for x_i, a in enumerate(members):
            for b in members[x_i + 1 :]:
                if distance(a, b) <= k:
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)

    comps: dict[int, list[int]] = defaultdict(list)
    for fp in fps:
        comps[find(fp)].append(fp)
    candidates = {}
    for root, members in comps.items():
        cases = [r for fp in members for r in by_fp[fp]]
        if len(cases) >= t.cluster_min_size:
            candidates[root] = cases
    if not candidates:
        return []

    # older cases near a candidate cluster's members: the cluster's own baseline
    member_bucket: dict[int, list[int]] = defaultdict(list)
    for root in candidates:
        for fp in comps[root]:
            for band in band_keys(fp, slots):
                member_bucket[band].append(fp)
    older: dict[int, list[Record]] = defaultdict(list)
    width = slots * SLOT_BITS
    band_mask = (1 << width) - 1
    shifts = [(i << width, i * width) for i in range(16 // slots)]  # band_keys, inlined: this loop sees 90 days
    lookup = member_bucket.get
    for r in v.records[:i0]:
        fp = r.fingerprint & MASK
        if not fp:
            continue
        hit: set[int] = set()
        for tag, shift in shifts:
            near = lookup(tag | ((fp >> shift) & band_mask))
            if near:
                for m in near:
                    if distance(fp, m) <= k:
                        hit.add(find(m))
        for root in hit:
            older[root].append(r)

    window_days = t.cluster_window_h / 24
    old_days = max(t.history_days - window_days, 1.0)
    signals = []
    for root, cases in candidates.items():
        n = len(cases)
        applicants = _applicants(cases)
        if applicants < t.cluster_min_complainants:
            continue
        by_one = max(sum(1 for r in cases if r.complainant == who) for who in {r.complainant for r in cases})
        if any(r.complainant for r in cases) and by_one > t.cluster_max_share_one * n:
            continue  # mostly one person's copies: a repeat complainant, not many residents
        # the episode: older near-copies reaching back without a gap longer than the window belong to it (its
        # first case names it, so the key holds while it goes on); those before a gap are its baseline
        first = min(cases, key=lambda r: (r.at, r.case_id))
        episode_start = first.at
        baseline = 0
        for r in sorted(older[root], key=lambda r: (r.at, r.case_id), reverse=True):
            if baseline == 0 and (episode_start - r.at).total_seconds() <= t.cluster_window_h * HOUR:
                first, episode_start = r, r.at
            else:
                baseline += 1
        expected = baseline / old_days * window_days
        if n < t.cluster_min_ratio * expected:
            continue
        respondent = _dominant((r.respondent for r in cases), n)
        category = _dominant((r.category for r in cases), n)
        place = _place_of(cases, v.district)
        # named by the cluster's first case (its place and category may move as it grows); a cluster naming one
        # respondent is that respondent's phenomenon
        key = f"respondent:{respondent}" if respondent else f"text:{first.case_id}"
        signals.append(
            Signal(
                kind="cluster",
                key=key,
                level=_level(n, t.cluster_orange_count, t.cluster_red_count),
                place=place,
                category=category,
                respondent=respondent,
                case_ids=_evidence(cases, t),
                series=(),
                reason=reason(
                    gettext_noop("%(count)s near-identical texts from %(applicants)s applicants in %(days)s days"),
                    count=n,
                    applicants=applicants,
                    days=_fmt(window_days),
                ),
                started_at=_first_at(cases),
                count=n,
            )
        )
    return signals


# --------------------------------------------------------------------------------------------------------------
# Many cases against one respondent.


def detect_respondents(
    records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds = DEFAULT_THRESHOLDS, *, district: str = ""
) -> list[Signal]:
    """At least ``respondent_min_count`` cases against one respondent in the window, and ``respondent_min_ratio``
    times the respondent's own rate over the 90 days before it (a utility that always draws complaints is
    not news); red at ``respondent_red_count`` cases or ``respondent_red_people`` people."""
    v = _view(records, now, t, district)
    i0 = v.since(t.respondent_window_h * HOUR)
    recent: dict[str, list[Record]] = defaultdict(list)
    for r in v.records[i0:]:
        if r.respondent:
            recent[r.respondent].append(r)
    candidates = {k: rs for k, rs in recent.items() if len(rs) >= t.respondent_min_count}
    if not candidates:
        return []
    old_counts: dict[str, int] = defaultdict(int)
    for r in v.records[:i0]:
        if r.respondent in candidates:
            old_counts[r.respondent] += 1
    window_days = t.respondent_window_h / 24
    old_days = max(t.history_days - window_days, 1.0)
    signals = []
    for resp, cases in sorted(candidates.items()):
        n = len(cases)
        expected = max(old_counts[resp] / old_days, t.respondent_floor_per_day) * window_days
        if n < t.respondent_min_ratio * expected or nb_tail(n, expected, t.burst_dispersion) > t.respondent_p_value:
            continue
        people = sum(max(r.people, 1) for r in cases)
        level = _level(n, t.respondent_orange_count, t.respondent_red_count)
        if people >= t.respondent_red_people:
            level = "red"
        signals.append(
            Signal(
                kind="respondent",
                key=f"respondent:{resp}",
                level=level,
                place=_place_of(cases, v.district),
                category=_dominant((r.category for r in cases), n),
                respondent=resp,
                case_ids=_evidence(cases, t),
                series=(),
                reason=reason(
                    gettext_noop(
                        "%(count)s cases (%(people)s people) against one respondent in %(days)s days, where "
                        "%(expected)s were expected"
                    ),
                    count=n,
                    people=people,
                    days=_fmt(window_days),
                    expected=_fmt(expected),
                ),
                started_at=_first_at(cases),
                count=n,
            )
        )
    return signals


# --------------------------------------------------------------------------------------------------------------
# Repeat complainants.


def _same_matter(cases: list[Record], k: int) -> list[Record]:
    """The largest set of one applicant's cases about one matter: those of one category, or with near-identical
    texts, as the case they are compared with."""
    best: list[Record] = []
    for c in cases[-200:]:
        fp = c.fingerprint
        group = [
            d
            for d in cases[-200:]
            if (c.category and d.category == c.category) or (fp and d.fingerprint and distance(fp, d.fingerprint) <= k)
        ]
        if len(group) > len(best):
            best = group
    return best


def detect_repeats(
    records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds = DEFAULT_THRESHOLDS, *, district: str = ""
) -> list[Signal]:
    """One applicant writing again and again about one matter: at least ``repeat_min_count`` cases of one
    category or with near-identical texts in ``repeat_window_days`` days — or ``repeat_any_count`` cases about
    anything. (A resident who writes three times in a month about three different things is not a signal.)"""
    v = _view(records, now, t, district)
    i0 = v.since(t.repeat_window_days * DAY)
    by: dict[str, list[Record]] = defaultdict(list)
    for r in v.records[i0:]:
        if r.complainant:
            by[r.complainant].append(r)
    signals = []
    for who, everything in sorted(by.items()):
        if len(everything) < t.repeat_min_count:
            continue
        cases = (
            everything if len(everything) >= t.repeat_any_count else _same_matter(everything, t.cluster_max_distance)
        )
        n = len(cases)
        if n < t.repeat_min_count:
            continue
        signals.append(
            Signal(
                kind="repeat",
                key=f"complainant:{who}",
                level=_level(n, t.repeat_orange_count, t.repeat_red_count),
                place=_place_of(cases, v.district),
                category=_dominant((r.category for r in cases), n),
                respondent=_dominant((r.respondent for r in cases), n),
                case_ids=_evidence(cases, t),
                series=(),
                reason=reason(
                    gettext_noop("%(count)s cases from one applicant in %(days)s days"),
                    count=n,
                    days=t.repeat_window_days,
                ),
                started_at=_first_at(cases),
                count=n,
            )
        )
    return signals


# --------------------------------------------------------------------------------------------------------------
# Collective cases.


def detect_collective(
    records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds = DEFAULT_THRESHOLDS, *, district: str = ""
) -> list[Signal]:
    """A case with at least ``collective_min_people`` people, or at least ``collective_sum_min_cases`` cases of
    one place and category, each of ``collective_sum_min_each`` people or more, adding up to
    ``collective_sum_people`` people, within ``collective_window_h`` (a group that wrote in several parts;
    many one-person cases are a burst, not a collective case)."""
    v = _view(records, now, t, district)
    i0 = v.since(t.collective_window_h * HOUR)
    signals = []
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in v.records[i0:]:
        if r.people >= t.collective_min_people:
            signals.append(
                Signal(
                    kind="collective",
                    key=f"place:{_subject_region(r, v.district)}:{r.category}" if r.category else f"case:{r.case_id}",
                    level=_level(r.people, t.collective_orange_people, t.collective_red_people),
                    place=r.place or r.street or v.district,
                    category=r.category,
                    respondent=r.respondent,
                    case_ids=(r.case_id,),
                    series=(),
                    reason=reason(
                        gettext_noop("%(people)s people in one case (collective from %(threshold)s)"),
                        people=r.people,
                        threshold=t.collective_min_people,
                    ),
                    started_at=r.at,
                    count=1,
                )
            )
        if r.people >= t.collective_sum_min_each and r.category:
            groups[(_subject_region(r, v.district), r.category)].append(r)
    for (region, cat), cases in sorted(groups.items()):
        people = sum(max(r.people, 1) for r in cases)
        if len(cases) < t.collective_sum_min_cases or people < t.collective_sum_people:
            continue
        signals.append(
            Signal(
                kind="collective",
                key=f"place:{region}:{cat}",
                level=_level(people, t.collective_orange_people, t.collective_red_people),
                place=_place_of(cases, v.district),
                category=cat,
                respondent=_dominant((r.respondent for r in cases), len(cases)),
                case_ids=_evidence(cases, t),
                series=(),
                reason=reason(
                    gettext_noop(
                        "%(count)s cases of one place and category add up to %(people)s people in %(hours)s hours"
                    ),
                    count=len(cases),
                    people=people,
                    hours=t.collective_window_h,
                ),
                started_at=_first_at(cases),
                count=len(cases),
            )
        )
    return signals


# --------------------------------------------------------------------------------------------------------------
# Red cases open too long.


def detect_red_open(
    records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds = DEFAULT_THRESHOLDS, *, district: str = ""
) -> list[Signal]:
    """A red case still open ``red_open_hours`` after submission (orange), ``red_open_red_hours`` (red)."""
    v = _view(records, now, t, district)
    signals = []
    limit = v.now_s - t.red_open_hours * HOUR
    for s, r in zip(v.older_ts + v.ts, v.older + v.records, strict=True):
        if s > limit:
            break
        if not (r.is_open and r.grade == "red"):
            continue
        hours = int((v.now_s - s) // HOUR)
        signals.append(
            Signal(
                kind="red_open",
                key=f"case:{r.case_id}",
                level="red" if hours >= t.red_open_red_hours else "orange",
                place=r.place or r.street or v.district,
                category=r.category,
                respondent=r.respondent,
                case_ids=(r.case_id,),
                series=(),
                reason=reason(
                    gettext_noop("A red case open for %(hours)s hours (the limit is %(limit)s hours)"),
                    hours=hours,
                    limit=t.red_open_hours,
                ),
                started_at=r.at,
                count=1,
            )
        )
    return signals


# --------------------------------------------------------------------------------------------------------------
# Grades drifting upward.


def detect_drift(
    records: Sequence[Record] | _View, now: dt.datetime, t: Thresholds = DEFAULT_THRESHOLDS, *, district: str = ""
) -> list[Signal]:
    """The share of red and yellow cases of a region (community, street, district) over a recent window
    (``drift_windows_days``, the shortest that shows it) against the ``drift_baseline_days`` before the longest
    window: up by ``drift_min_delta`` at least, with at least ``drift_min_recent`` recent and
    ``drift_min_baseline`` earlier cases, and a binomial tail below ``drift_p_value``. When a street drifts its
    communities are not reported apart; the district only when none of its streets or communities is."""
    v = _view(records, now, t, district)
    windows = sorted(t.drift_windows_days)
    longest = windows[-1] * DAY
    b0 = v.now_s - longest - t.drift_baseline_days * DAY
    starts = [v.now_s - w * DAY for w in windows]
    base: dict[str, list[int]] = {}  # region → [n, hot]
    recent: dict[str, list[list[int]]] = {}  # region → per window [n, hot]
    hot_cases: dict[str, list[tuple[float, Record]]] = defaultdict(list)
    streets: dict[str, str] = {}
    i0 = v.since(v.now_s - b0)
    for s, r in zip(v.ts[i0:], v.records[i0:], strict=True):
        hot = r.grade in ("red", "yellow")
        regions = {r.place, r.street, v.district} - {""}
        if r.street and r.place and r.place != r.street:
            streets[r.place] = r.street
        if s < v.now_s - longest:
            for code in regions:
                row = base.get(code)
                if row is None:
                    row = base[code] = [0, 0]
                row[0] += 1
                row[1] += hot
            continue
        for code in regions:
            rows = recent.get(code)
            if rows is None:
                rows = recent[code] = [[0, 0] for _ in windows]
            for j, start in enumerate(starts):
                if s >= start:
                    rows[j][0] += 1
                    rows[j][1] += hot
            if hot:
                hot_cases[code].append((s, r))
    fired: dict[str, tuple[float, float, int, int, float]] = {}
    for code, rows in recent.items():
        bn, bh = base.get(code, (0, 0))
        if bn < t.drift_min_baseline:
            continue
        before = bh / bn
        for w, (rn, rh) in zip(windows, rows, strict=True):
            if rn < t.drift_min_recent or rh / rn - before < t.drift_min_delta:
                continue
            if binom_tail(rh, rn, before) > t.drift_p_value:
                continue
            fired[code] = (before, rh / rn, rn, w, v.now_s - w * DAY)
            break
    fired_streets = set(fired)
    signals = []
    for code, (before, after, rn, w, start) in sorted(fired.items()):
        if code == v.district and len(fired) > 1:
            continue
        if streets.get(code) in fired_streets:
            continue
        cases = [r for s, r in hot_cases[code] if s >= start]
        signals.append(
            Signal(
                kind="drift",
                key=f"drift:{streets.get(code, code)}",  # a community's drift is its street's warning
                level=_level(after - before, t.drift_orange_delta, t.drift_red_delta),
                place=code,
                category="",
                respondent="",
                case_ids=_evidence(cases, t),
                series=(),
                reason=reason(
                    gettext_noop(
                        "Red and yellow cases rose from %(before)s%% to %(after)s%% of %(count)s cases in the "
                        "last %(days)s days"
                    ),
                    before=round(before * 100),
                    after=round(after * 100),
                    count=rn,
                    days=w,
                ),
                started_at=_first_at(cases) if cases else v.now,
                count=len(cases),
            )
        )
    return signals


# --------------------------------------------------------------------------------------------------------------
# Everything together: merging, series.

_CONTENT = ("burst", "cluster", "respondent", "collective")
_SUBJECT_ORDER = ("respondent", "text", "place", "case")


def _merge_two(a: Signal, b: Signal, t: Thresholds, key: str | None = None) -> Signal:
    """One signal for one phenomenon: the stronger's kind and reason, the union of the evidence."""
    strong, weak = (a, b) if (_RANK[a.level], a.count) >= (_RANK[b.level], b.count) else (b, a)
    keep = a if key is None else (a if a.key == key else b)
    ids = sorted(set(a.case_ids) | set(b.case_ids), reverse=True)[: t.max_evidence]
    place = keep.place
    if a.key == b.key and a.place != b.place and a.key.startswith(("place:", "drift:")):
        place = a.key.split(":")[1]  # two communities of one street: the street
    return Signal(
        kind=strong.kind,
        key=keep.key,
        level=strong.level,
        place=place,
        category=keep.category or weak.category,
        respondent=keep.respondent or weak.respondent,
        case_ids=tuple(ids),
        series=(),
        reason=strong.reason,
        started_at=min(a.started_at, b.started_at),
        count=max(a.count, b.count, len(set(a.case_ids) | set(b.case_ids))),
    )


def _related(a: Signal, b: Signal) -> bool:
    """Whether two signals sharing evidence are one phenomenon: always, unless one of them is a single case,
    which joins another signal only about its respondent, or its place and category (a 300-person case is
    not folded into an ordinary burst it happens to fall in)."""
    if min(len(a.case_ids), len(b.case_ids)) > 1:
        return True
    return bool(a.respondent and a.respondent == b.respondent) or (a.place == b.place and a.category == b.category)


def _subject_rank(sig: Signal) -> int:
    prefix = sig.key.split(":", 1)[0]
    return _SUBJECT_ORDER.index(prefix) if prefix in _SUBJECT_ORDER else len(_SUBJECT_ORDER)


def merge_signals(signals: list[Signal], t: Thresholds = DEFAULT_THRESHOLDS) -> list[Signal]:
    """Same key → one signal; content signals sharing most of their evidence → one (the specific subject's key)."""
    by_key: dict[str, Signal] = {}
    for s in signals:
        by_key[s.key] = _merge_two(by_key[s.key], s, t, key=s.key) if s.key in by_key else s
    content = sorted(
        (s for s in by_key.values() if s.kind in _CONTENT), key=lambda s: (_subject_rank(s), -s.count, s.key)
    )
    others = [s for s in by_key.values() if s.kind not in _CONTENT]
    kept: list[Signal] = []
    for s in content:
        ids = set(s.case_ids)
        for i, k in enumerate(kept):
            overlap = len(ids & set(k.case_ids))
            if overlap and overlap >= 0.5 * min(len(ids), len(k.case_ids)) and _related(s, k):
                kept[i] = _merge_two(k, s, t, key=k.key)
                break
        else:
            kept.append(s)
    return kept + others


def _with_series(signals: list[Signal], v: _View, t: Thresholds) -> list[Signal]:
    """Daily counts over the last ``series_days`` of each signal's subject (its evidence for case and text keys)."""
    if not signals:
        return []
    today = _day(v.now_s)
    first = today - t.series_days + 1
    counts: list[dict[int, int]] = [defaultdict(int) for _ in signals]
    place_cat: dict[tuple[str, str], list[int]] = defaultdict(list)
    resp: dict[str, list[int]] = defaultdict(list)
    comp: dict[str, list[int]] = defaultdict(list)
    drift: dict[str, list[int]] = defaultdict(list)
    by_case: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(signals):
        kind, _, rest = s.key.partition(":")
        if kind == "place":
            region, _, cat = rest.partition(":")
            place_cat[(region, cat)].append(i)
        elif kind == "respondent":
            resp[rest].append(i)
        elif kind == "complainant":
            comp[rest].append(i)
        elif kind == "drift":
            drift[rest].append(i)
        else:
            for cid in s.case_ids:
                by_case[cid].append(i)
    i0 = v.since(v.now_s - (first * DAY - CST))
    for d, r in zip(v.days[i0:], v.records[i0:], strict=True):
        hits: list[int] = []
        if place_cat and r.category:
            for region in (r.place, r.street, v.district):
                hits += place_cat.get((region, r.category), ())
        if resp and r.respondent:
            hits += resp.get(r.respondent, ())
        if comp and r.complainant:
            hits += comp.get(r.complainant, ())
        if drift and r.grade in ("red", "yellow"):
            for region in {r.place, r.street, v.district}:
                hits += drift.get(region, ())
        if by_case:
            hits += by_case.get(r.case_id, ())
        for i in set(hits):
            counts[i][d] += 1
    out = []
    for i, s in enumerate(signals):
        series = tuple((_iso(d), counts[i].get(d, 0)) for d in range(first, today + 1))
        out.append(_replace_series(s, series))
    return out


def _replace_series(s: Signal, series: tuple[tuple[str, int], ...]) -> Signal:
    return Signal(
        kind=s.kind,
        key=s.key,
        level=s.level,
        place=s.place,
        category=s.category,
        respondent=s.respondent,
        case_ids=s.case_ids,
        series=series,
        reason=s.reason,
        started_at=s.started_at,
        count=s.count,
    )


DETECTORS = (
    detect_bursts,
    detect_clusters,
    detect_respondents,
    detect_repeats,
    detect_collective,
    detect_red_open,
    detect_drift,
)


def detect(
    records: Sequence[Record],
    *,
    now: dt.datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    district: str,
) -> list[Signal]:
    """Every detector over the district's last ``history_days`` of records (later ones are ignored); signals
    merged per phenomenon, each with its daily series; ordered by level (red first), then key."""
    # A pass allocates a few hundred thousand small objects; the cyclic collector would walk the whole heap
    # (every Record) several times meanwhile, which costs more than the detectors. Nothing here makes cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        v = _View(records, now, thresholds, district)
        signals: list[Signal] = []
        for detector in DETECTORS:
            signals += detector(v, now, thresholds)
        merged = merge_signals(signals, thresholds)
        merged = _with_series(merged, v, thresholds)
    finally:
        if collecting:
            gc.enable()
    return sorted(merged, key=lambda s: (-_RANK[s.level], s.key))
