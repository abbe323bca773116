"""./fq bench --warnings — the early-warning detectors against a simulated district: recall, delay, false alarms.

    ./fq bench --warnings                 # 60 simulated days scored, the scheduler every hour (a few minutes)
    ./fq bench --warnings --quick         # 30 days scored, the scheduler every 3 hours (under two minutes)
    ./fq bench --warnings --seed 7        # another simulated world (the thresholds were tuned on seed 1)

No database: the detectors are pure functions (fengqiao.warnings.detectors) and this builds their records.

The background: Luohu district's volume (112,095 demands in 2023 → 307 a day) over Luohu's 10 streets and
109 communities from fengqiao/org/data/regions.csv, 90 days of history before the scored days. Each day's
volume follows a weekly rhythm (Monday busiest, Sunday ≈ 60 %) and an hourly one (08–22 h), with day-to-day
noise (gamma, cv ≈ 14 %) and clumping per community and day (gamma, cv 50 %). Places have their own sizes
(lognormal) and their own mix of categories (lognormal tilt per place × category). Categories are the shipped
catalogue's codes (C01…, as the demo loader numbers fengqiao/cases/data/categories.csv); texts are the real
messages of fengqiao/triage/data/messages_train.csv.gz (5,998 citizen messages, 7 first-level labels), drawn
for a case of the matching first-level category without replacement (a deck per label, reshuffled when used
up: a message comes back after two to three weeks). The second-level category of a
case is drawn from its first-level one. Summer: from 15 June environment complaints (C02) rise 30 % and
construction ones (C01) 10 %, as the default season table (thresholds.py) expects. 10 % of cases come from a
resident who wrote in the last 60 days; 30 % name a respondent (2,000 firms, Zipf-sized: a utility gets a
few a day); people per case 1–4; grades 85 % green, 12 % yellow, 3 % red; cases close after a lognormal time
(red ones always within 40 hours: the background has no red case open too long).

The injections (several of each kind at random places and times in the scored days; sizes include small ones):
- burst: 6–60 demands of one topic (fireworks and noise, water cuts, property management, building sites —
  different real texts of that topic) in one community and one category over 6–72 hours;
- cluster: 5–40 near-copies of one real text (numbers changed, 2 % of characters changed, a phrase added or
  the end cut, as residents forwarding one template do) over 1–4 streets, within 6–96 hours;
- respondent: 5–50 workers against one new firm (real wage-arrears texts) over 1–5 days, most placed at the
  site's community, sometimes with one collective case of 20–300 people among them;
- repeat: one resident writing 3–8 times about one thing (near-copies) over 2–25 days;
- collective: one case of 5–300 people, or 3–5 cases of one place and category adding up to 10+ people;
- red_open: a red case left open 60–240 hours;
- drift: one street whose share of red and yellow cases rises from ≈ 15 % to 35–55 % for 7–14 days.

The scheduler runs `detect` over the last 90 days at every step of simulated time. A signal detects an
injection when at least one of its evidence cases is injected and injected cases make at least a fifth of its
evidence (drift: a drift signal on the street or one of its communities during the drift). Delay = hours from
the injection's first case (red_open: from the moment it became too old, 48 h) to the first signal.
A false alarm is a signal that detects no injection; it is counted once per key and episode (a key seen again
after 24 hours without it counts again). Recall and delay are over all kinds together.
The last line starts with `summary`.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import gzip
import itertools
import math
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUNING_SEED = 1
DEFAULT_SEED = 2
CST = dt.timezone(dt.timedelta(hours=8))
DISTRICT = "440303"  # 罗湖区
LUOHU_PER_DAY = 112_095 / 365
HISTORY_DAYS = 90
WEEKDAY = (1.18, 1.08, 1.04, 1.02, 1.0, 0.72, 0.62)  # Monday … Sunday (relative, normalised below)
HOURS = (
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.2,
    0.5,
    1.2,
    2.6,
    3.2,
    3.3,
    3.0,
    2.0,
    2.2,
    3.0,
    3.1,
    3.0,
    2.8,
    2.0,
    1.8,
    1.9,
    1.8,
    1.2,
    0.6,
)
KINDS = ("burst", "cluster", "respondent", "repeat", "collective", "red_open", "drift")
TOPICS = {
    "fireworks and noise": "烟花|鞭炮|爆竹|噪音|噪声|扰民",
    "water and power cuts": "停水|停电|断水|水压",
    "property management": "物业",
    "building sites": "施工|工地",
}
WAGES = "欠薪|拖欠.*工资|工资.*拖欠|讨薪|农民工"
PHRASES = (
    "我是小区住户，",
    "本人住在附近，",
    "恳请领导重视！",
    "希望尽快解决。",
    "强烈要求处理！",
    "谢谢！",
    "我家有老人小孩，",
    "已经反映多次了，",
    "大家都很着急，",
    "请相关部门尽快处理。",
)
FILLER = "的一是了我不人在有这个上们来到时大地为中说年着就那和要出也得里后以会家可下而过天去能对小多然于心么都好"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------------------------
# The world


@dataclass
class Case:
    case_id: int
    at: dt.datetime
    place: str
    street: str
    category: str
    respondent: str
    complainant: str
    people: int
    grade: str
    closes_at: dt.datetime
    text: str
    injection: int = -1  # index of the injection it belongs to, -1 for background


@dataclass
class Injection:
    kind: str
    start: dt.datetime
    case_ids: list[int] = field(default_factory=list)
    street: str = ""  # drift
    end: dt.datetime | None = None  # drift
    size: int = 0
    detected_at: dt.datetime | None = None
    keys: set[str] = field(default_factory=set)


class World:
    def __init__(self, seed: int, scored_days: int, per_day: float):
        self.rnd = random.Random(seed)
        self.seed = seed
        self.per_day = per_day
        self._load()
        # the scored days start on a Wednesday in early June, 90 days of history before them
        self.scored_from = dt.datetime(2026, 6, 3, tzinfo=CST)
        self.start = self.scored_from - dt.timedelta(days=HISTORY_DAYS)
        self.end = self.scored_from + dt.timedelta(days=scored_days)
        self.cases: list[Case] = []
        self.injections: list[Injection] = []
        self._next_id = 1
        self._residents: list[tuple[dt.datetime, str]] = []

    # -- shipped data ---------------------------------------------------------------------------------------------
    def _load(self) -> None:
        from fengqiao.warnings.fingerprint import respondent_key

        with gzip.open(ROOT / "fengqiao/triage/data/messages_train.csv.gz", "rt", encoding="utf-8") as fh:
            self.messages = [(r["title"] + "。" + r["body"], r["label"]) for r in csv.DictReader(fh)]
        with (ROOT / "fengqiao/cases/data/categories.csv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        first: dict[str, str] = {}
        self.level2: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            code = first.setdefault(row["level1"], f"C{len(first) + 1:02d}")
            self.level2[code].append(f"{code}-{len(self.level2[code]) + 1:02d}")
        self.label_code = first
        self.by_label: dict[str, list[str]] = defaultdict(list)
        for text, label in self.messages:
            self.by_label[label].append(text)
        self.decks: dict[str, list[str]] = {}
        self.topics = {name: [t for t, _ in self.messages if re.search(pat, t)] for name, pat in TOPICS.items()}
        self.wages = [t for t, _ in self.messages if re.search(WAGES, t)]
        with (ROOT / "fengqiao/org/data/regions.csv").open(encoding="utf-8") as fh:
            regions = list(csv.DictReader(fh))
        self.streets = [r["code"] for r in regions if r["parent_code"] == DISTRICT and r["level"] == "street"]
        self.communities = [(r["code"], r["parent_code"]) for r in regions if r["parent_code"] in self.streets]
        self.firms = [respondent_key(f"深圳市罗湖区某{n}号商贸有限公司") for n in range(2000)]
        self.firm_cum = list(itertools.accumulate(1 / (i + 1) ** 1.1 for i in range(2000)))

    # -- the background -------------------------------------------------------------------------------------------
    def _text(self, label: str) -> str:
        deck = self.decks.get(label)
        if not deck:
            deck = self.decks[label] = self.by_label[label][:]
            self.rnd.shuffle(deck)
        return deck.pop()  # its numbers need no change: the fingerprint reads a run of digits as one symbol

    def _complainant(self, at: dt.datetime) -> str:
        rnd = self.rnd
        if rnd.random() < 0.10 and self._residents:
            lo = bisect.bisect_left(self._residents, (at - dt.timedelta(days=60), ""))
            if lo < len(self._residents):
                return self._residents[rnd.randrange(lo, len(self._residents))][1]
        who = f"r{rnd.getrandbits(48):x}"
        self._residents.append((at, who))
        return who

    def _close(self, at: dt.datetime, grade: str) -> dt.datetime:
        rnd = self.rnd
        if grade == "red":
            hours = min(rnd.lognormvariate(math.log(10), 0.6), 40)
        elif grade == "yellow":
            hours = rnd.lognormvariate(math.log(30), 0.7)
        else:
            hours = rnd.lognormvariate(math.log(60), 0.8)
        return at + dt.timedelta(hours=hours)

    def add(
        self,
        at,
        place,
        street,
        category,
        text,
        *,
        respondent="",
        complainant=None,
        people=1,
        grade=None,
        closes_at=None,
        injection=-1,
    ) -> Case:
        rnd = self.rnd
        if grade is None:
            x = rnd.random()
            grade = "red" if x < 0.03 else "yellow" if x < 0.15 else "green"
        case = Case(
            self._next_id,
            at,
            place,
            street,
            category,
            respondent,
            complainant if complainant is not None else self._complainant(at),
            people,
            grade,
            closes_at or self._close(at, grade),
            text,
            injection,
        )
        self._next_id += 1
        self.cases.append(case)
        return case

    def background(self) -> None:
        rnd = self.rnd
        labels = list(self.by_label)
        label_w = {lab: len(self.by_label[lab]) for lab in labels}
        place_w = {c: rnd.lognormvariate(0, 0.8) for c, _ in self.communities}
        cells = []  # (community, street, category, label, weight)
        for c, s in self.communities:
            for lab in labels:
                code = self.label_code[lab]
                subs = self.level2[code]
                for sub in subs:
                    w = place_w[c] * label_w[lab] / len(subs) * rnd.lognormvariate(0, 0.5)
                    cells.append((c, s, sub, lab, w))
        hour_w = [h / sum(HOURS) for h in HOURS]
        wk = [w / (sum(WEEKDAY) / 7) for w in WEEKDAY]
        day = self.start
        while day < self.end:
            summer = day.date() >= dt.date(day.year, 6, 15)
            weights = []
            for _c, _s, sub, _lab, w in cells:
                if summer and sub.startswith("C02"):
                    w *= 1.3
                elif summer and sub.startswith("C01"):
                    w *= 1.1
                weights.append(w * rnd.gammavariate(4, 0.25))  # clumping per place × category and day
            total = self.per_day * wk[day.weekday()] * rnd.gammavariate(50, 1 / 50)
            n = _poisson(total, rnd)
            picks = rnd.choices(cells, weights=weights, k=n)
            hours = rnd.choices(range(24), weights=hour_w, k=n)
            for (c, s, sub, lab, _w), h in zip(picks, hours, strict=True):
                at = day + dt.timedelta(hours=h, seconds=rnd.randrange(3600))
                x = rnd.random()
                place, street = (c, s) if x < 0.9 else (s, s) if x < 0.97 else (DISTRICT, "")
                respondent = rnd.choices(self.firms, cum_weights=self.firm_cum)[0] if rnd.random() < 0.3 else ""
                people = rnd.choices((1, 2, 3, 4), weights=(90, 6, 3, 1))[0]
                self.add(at, place, street, sub, self._text(lab), respondent=respondent, people=people)
            day += dt.timedelta(days=1)

    # -- the injections -------------------------------------------------------------------------------------------
    def _start(self, margin_days: float = 4) -> dt.datetime:
        span = (self.end - self.scored_from).total_seconds() - margin_days * 86400
        return self.scored_from + dt.timedelta(seconds=self.rnd.uniform(0, max(span, 86400)))

    def _community(self) -> tuple[str, str]:
        return self.rnd.choice(self.communities)

    def _times(self, start: dt.datetime, n: int, hours: float) -> list[dt.datetime]:
        # front-loaded arrivals: most come early, as when something happens
        return sorted(start + dt.timedelta(hours=hours * self.rnd.random() ** 1.5) for _ in range(n))

    def _size(self, lo: int, hi: int) -> int:
        return round(math.exp(self.rnd.uniform(math.log(lo), math.log(hi))))

    def _new(self, kind: str, start: dt.datetime) -> tuple[int, Injection]:
        inj = Injection(kind, start)
        self.injections.append(inj)
        return len(self.injections) - 1, inj

    def inject(self, per_kind: int) -> None:
        rnd = self.rnd
        for _ in range(per_kind):
            # burst: one topic, different real texts, one community and category
            i, inj = self._new("burst", self._start())
            topic = rnd.choice(list(self.topics))
            texts = rnd.sample(self.topics[topic], k=min(60, len(self.topics[topic])))
            c, s = self._community()
            n = self._size(6, 60)
            label = _label_of(texts[0], self.messages)
            cat = rnd.choice(self.level2[self.label_code[label]])
            for j, at in enumerate(self._times(inj.start, n, rnd.uniform(6, 72))):
                inj.case_ids.append(self.add(at, c, s, cat, _digits(texts[j % len(texts)], rnd), injection=i).case_id)
            # cluster: near-copies of one text over a few streets
            i, inj = self._new("cluster", self._start())
            template = rnd.choice([t for t, _ in self.messages if len(t) >= 40])
            label = _label_of(template, self.messages)
            cats = self.level2[self.label_code[label]]
            main_cat = rnd.choice(cats)
            streets = rnd.sample(self.streets, k=rnd.randint(1, 4))
            places = [(c, s) for c, s in self.communities if s in streets]
            n = self._size(5, 40)
            for at in self._times(inj.start, n, rnd.uniform(6, 96)):
                c, s = rnd.choice(places)
                cat = main_cat if rnd.random() < 0.8 else rnd.choice(cats)
                inj.case_ids.append(self.add(at, c, s, cat, _mutate(template, rnd), injection=i).case_id)
            # respondent: workers of one site against one firm
            i, inj = self._new("respondent", self._start())
            firm = f"rsp{i}"
            site = self._community()
            n = self._size(5, 50)
            cat = rnd.choice(self.level2["C07"])
            texts = rnd.sample(self.wages, k=min(n, len(self.wages)))
            big = rnd.random() < 0.5
            for j, at in enumerate(self._times(inj.start, n, rnd.uniform(24, 120))):
                c, s = site if rnd.random() < 0.7 else self._community()
                people = self._size(20, 300) if big and j == n // 2 else rnd.choice((1, 1, 1, 2, 3))
                case = self.add(
                    at, c, s, cat, _digits(texts[j % len(texts)], rnd), respondent=firm, people=people, injection=i
                )
                inj.case_ids.append(case.case_id)
            # repeat: one resident, one matter, several times
            i, inj = self._new("repeat", self._start(margin_days=10))
            who = f"repeat{i}"
            text, label = rnd.choice(self.messages)
            cat = rnd.choice(self.level2[self.label_code[label]])
            c, s = self._community()
            n = rnd.randint(3, 8)
            span = rnd.uniform(2, min(25.0, (self.end - inj.start).total_seconds() / 86400 - 2))
            times = sorted(inj.start + dt.timedelta(days=span * rnd.random()) for _ in range(n - 1))
            for at in [inj.start, *times]:
                inj.case_ids.append(self.add(at, c, s, cat, _mutate(text, rnd), complainant=who, injection=i).case_id)
            # collective: one big case, or a few that add up
            i, inj = self._new("collective", self._start())
            text, label = rnd.choice(self.messages)
            cat = rnd.choice(self.level2[self.label_code[label]])
            c, s = self._community()
            if rnd.random() < 0.7:
                inj.case_ids.append(
                    self.add(inj.start, c, s, cat, _digits(text, rnd), people=self._size(5, 300), injection=i).case_id
                )
            else:
                for at in self._times(inj.start, rnd.randint(3, 5), rnd.uniform(2, 48)):
                    inj.case_ids.append(
                        self.add(at, c, s, cat, _digits(text, rnd), people=rnd.randint(3, 6), injection=i).case_id
                    )
            # red_open: a red case nobody closes in time
            i, inj = self._new("red_open", self._start(margin_days=6))
            text, label = rnd.choice(self.messages)
            c, s = self._community()
            case = self.add(
                inj.start,
                c,
                s,
                rnd.choice(self.level2[self.label_code[label]]),
                _digits(text, rnd),
                grade="red",
                closes_at=inj.start + dt.timedelta(hours=rnd.uniform(60, 240)),
                injection=i,
            )
            inj.case_ids.append(case.case_id)
            inj.start = case.at + dt.timedelta(hours=48)  # the phenomenon starts when the case becomes too old
            # drift: a street's grades go up for a week or two
            i, inj = self._new("drift", self._start(margin_days=7))
            inj.street = rnd.choice(self.streets)
            inj.end = inj.start + dt.timedelta(days=rnd.uniform(7, 14))
            inj.size = int(100 * rnd.uniform(0.35, 0.55))

    def apply_drifts(self) -> None:
        """Raise the grades of the drifting streets' cases (background ones) during their drift."""
        for i, inj in enumerate(self.injections):
            if inj.kind != "drift":
                continue
            target = inj.size / 100
            upgrade = (target - 0.15) / 0.85  # green → yellow/red with this probability
            for case in self.cases:
                drifting = case.injection == -1 and case.street == inj.street and inj.start <= case.at < inj.end
                if drifting and case.grade == "green" and self.rnd.random() < upgrade:
                    case.grade = "yellow" if self.rnd.random() < 0.8 else "red"
                    if case.grade == "red":
                        case.closes_at = min(case.closes_at, case.at + dt.timedelta(hours=40))
                    case.injection = i
                    inj.case_ids.append(case.case_id)


def _poisson(lam: float, rnd: random.Random) -> int:
    return max(0, round(rnd.gauss(lam, math.sqrt(lam)))) if lam > 50 else _knuth(lam, rnd)


def _knuth(lam: float, rnd: random.Random) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= limit:
            return k
        k += 1


def _digits(text: str, rnd: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(rnd.randrange(1, 10 ** len(m.group()))), text)


def _mutate(text: str, rnd: random.Random, rate: float = 0.02) -> str:
    """A resident's copy of a shared text: numbers changed, a few characters changed or dropped, a phrase added
    at either end, sometimes the end cut off."""
    chars = list(_digits(text, rnd))
    for i in range(len(chars)):
        x = rnd.random()
        if x < rate / 2:
            chars[i] = ""
        elif x < rate:
            chars[i] = rnd.choice(FILLER)
    out = "".join(chars)
    if rnd.random() < 0.5:
        out = rnd.choice(PHRASES) + out
    if rnd.random() < 0.5:
        out += rnd.choice(PHRASES)
    if rnd.random() < 0.3 and len(out) > 60:
        out = out[: int(len(out) * rnd.uniform(0.8, 0.95))]
    return out


_LABELS: dict[str, str] = {}


def _label_of(text: str, messages: list[tuple[str, str]]) -> str:
    if not _LABELS:
        _LABELS.update(messages)
    return _LABELS[text]


# ---------------------------------------------------------------------------------------------------------------
# Running the scheduler over the world


def _records(world: World):
    from fengqiao.warnings.detectors import Record
    from fengqiao.warnings.fingerprint import text_fingerprint

    world.cases.sort(key=lambda c: (c.at, c.case_id))
    cache: dict[str, int] = {}
    opened, closed = [], []
    for c in world.cases:
        fp = cache.get(c.text)
        if fp is None:
            fp = cache[c.text] = text_fingerprint(c.text)
        args = (c.case_id, c.at, c.place, c.street, c.category, c.respondent, c.complainant, c.people, c.grade)
        opened.append(Record(*args, True, fp))
        closed.append(Record(*args, False, fp))
    return opened, closed


def run(world: World, step_h: float, thresholds) -> dict:
    from fengqiao.warnings.detectors import detect

    opened, closed = _records(world)
    ats = [c.at for c in world.cases]
    closes = [c.closes_at for c in world.cases]
    owner = {c.case_id: c.injection for c in world.cases}
    streets_of = {c: s for c, s in world.communities}
    episodes: dict[str, dt.datetime] = {}  # key → last seen, for false alarms
    false_alarms: list[tuple[str, dt.datetime]] = []
    now = world.scored_from
    passes, pass_time = 0, 0.0
    while now <= world.end:
        lo = bisect.bisect_left(ats, now - dt.timedelta(days=HISTORY_DAYS))
        hi = bisect.bisect_right(ats, now)
        records = [opened[i] if closes[i] > now else closed[i] for i in range(lo, hi)]
        t0 = time.process_time()  # CPU time: the machine may be shared, waiting for a core is not the pass's cost
        signals = detect(records, now=now, thresholds=thresholds, district=DISTRICT)
        pass_time += time.process_time() - t0
        passes += 1
        for sig in signals:
            hits: dict[int, int] = defaultdict(int)
            for cid in sig.case_ids:
                j = owner[cid]
                if j >= 0:
                    hits[j] += 1
            matched = [
                j
                for j, h in hits.items()
                if h >= max(1, 0.2 * len(sig.case_ids)) and world.injections[j].kind != "drift"
            ]
            if sig.kind == "drift":
                matched += [
                    j
                    for j, inj in enumerate(world.injections)
                    if inj.kind == "drift"
                    and inj.end is not None
                    and (sig.place == inj.street or streets_of.get(sig.place) == inj.street)
                    and inj.start <= now <= inj.end + dt.timedelta(days=7)
                ]
            for j in matched:
                inj = world.injections[j]
                inj.keys.add(sig.key)
                if inj.detected_at is None and now >= inj.start - dt.timedelta(hours=1):
                    inj.detected_at = now
            if not matched:
                last = episodes.get(sig.key)
                if last is None or now - last > dt.timedelta(hours=24):
                    false_alarms.append((sig.key, now))
                episodes[sig.key] = now
        now += dt.timedelta(hours=step_h)
    return {"false_alarms": false_alarms, "passes": passes, "pass_ms": pass_time / max(passes, 1) * 1000}


def _time_detect(n_records: int, seed: int, thresholds) -> float:
    """Median milliseconds of one `detect` over 90 days holding `n_records` records of this world's kind."""
    from fengqiao.warnings.detectors import detect

    world = World(seed, scored_days=0, per_day=n_records / HISTORY_DAYS)
    world.end = world.scored_from
    world.background()
    opened, closed = _records(world)
    now = world.end
    records = [o if c.closes_at > now else cl for o, cl, c in zip(opened, closed, world.cases, strict=True)]
    times = []
    for _ in range(5):
        t0 = time.process_time()
        detect(records, now=now, thresholds=thresholds, district=DISTRICT)
        times.append((time.process_time() - t0) * 1000)
    return statistics.median(times), len(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fq bench --warnings", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 scored days, a pass every 3 hours")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"the simulated world (tuned on {TUNING_SEED})")
    parser.add_argument("--days", type=int, help="scored days (default 60, quick 30)")
    parser.add_argument("--step", type=float, help="hours between passes (default 1, quick 3)")
    parser.add_argument("--per-kind", type=int, help="injections of each kind (default 12, quick 7)")
    parser.add_argument("--no-timing", action="store_true", help="skip the 28k/100k timing")
    parser.add_argument("--verbose", action="store_true", help="list every injection with the keys that saw it")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a threshold (for tuning on the tuning seed), e.g. --set burst_p_value=1e-3",
    )
    args = parser.parse_args(argv)
    _setup()
    from fengqiao.warnings.thresholds import Thresholds

    overrides = dict(item.split("=", 1) for item in args.set)
    thresholds = Thresholds.from_dict({k: v.split(",") if "," in v else v for k, v in overrides.items()})

    days = args.days or (30 if args.quick else 60)
    step = args.step or (3.0 if args.quick else 1.0)
    per_kind = args.per_kind or (7 if args.quick else 12)
    started = time.perf_counter()
    world = World(args.seed, days, LUOHU_PER_DAY)
    world.background()
    world.inject(per_kind)
    world.apply_drifts()
    note = " (the tuning seed: figures from it are not a fair report)" if args.seed == TUNING_SEED else ""
    print(
        f"seed {args.seed}{note}; thresholds tuned on seed {TUNING_SEED}"
        + (f"; overrides {overrides}" if overrides else "")
    )
    print(
        f"district {DISTRICT} (罗湖区, Luohu's volume: {LUOHU_PER_DAY:.0f} a day), {len(world.cases):,} cases over "
        f"{HISTORY_DAYS + days} days, {days} scored days, a pass every {step:g} h"
    )
    result = run(world, step, thresholds)

    print()
    print(f"{'kind':<12}{'injected':>9}{'detected':>9}{'recall':>8}{'delay h':>9}{'keys/inj':>9}")
    delays_all: list[float] = []
    detected_all = injected_all = 0
    for kind in KINDS:
        injs = [x for x in world.injections if x.kind == kind]
        found = [x for x in injs if x.detected_at is not None]
        delays = [max(0.0, (x.detected_at - x.start).total_seconds() / 3600) for x in found]
        delays_all += delays
        detected_all += len(found)
        injected_all += len(injs)
        keys = statistics.mean(len(x.keys) for x in found) if found else 0.0
        median = f"{statistics.median(delays):.1f}" if delays else "-"
        print(f"{kind:<12}{len(injs):>9}{len(found):>9}{len(found) / max(len(injs), 1):>8.2f}{median:>9}{keys:>9.2f}")
    recall = detected_all / max(injected_all, 1)
    delay = statistics.median(delays_all) if delays_all else float("nan")
    fa = result["false_alarms"]
    fa_per_day = len(fa) / days
    print(f"{'all':<12}{injected_all:>9}{detected_all:>9}{recall:>8.2f}{delay:>9.1f}")
    print()
    by_kind: dict[str, int] = defaultdict(int)
    for key, _ in fa:
        by_kind[key.split(":", 1)[0]] += 1
    detail = ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())) or "none"
    print(f"false alarms: {len(fa)} in {days} days = {fa_per_day:.2f} a day (by key subject: {detail})")
    print(f"pass time in the run: {result['pass_ms']:.0f} ms CPU, mean over {result['passes']} passes")
    if args.verbose:
        for x in world.injections:
            seen = f"after {(x.detected_at - x.start).total_seconds() / 3600:.1f} h" if x.detected_at else "missed"
            print(f"  {x.kind:<11}{len(x.case_ids):>4} cases from {x.start:%m-%d %H:%M}  {seen:<14} {sorted(x.keys)}")
        for key, at in result["false_alarms"]:
            print(f"  false alarm {key} at {at:%m-%d %H:%M}")
    missed = [x for x in world.injections if x.detected_at is None]
    for x in missed[:10]:
        print(f"  missed: {x.kind} of {len(x.case_ids)} cases from {x.start:%m-%d %H:%M}")
    if not args.no_timing:
        print()
        print(f"{'detect over 90 days':<28}{'records':>9}{'ms CPU':>9}  (median of 5)")
        for n in (28_000, 100_000):
            ms, count = _time_detect(n, args.seed + 1000, thresholds)
            print(f"{'Luohu-like' if n == 28_000 else '3.5 × Luohu':<28}{count:>9,}{ms:>9.0f}")
    print(f"\nbench time {time.perf_counter() - started:.0f} s ({time.process_time():.0f} s CPU)")
    print(f"summary warnings_recall={recall:.2f} false_alarms_per_day={fa_per_day:.2f} detection_delay_h={delay:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
