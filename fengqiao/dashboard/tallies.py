"""Pre-aggregated counters of cases, kept by the services in the same transaction as each change.

What a case contributes (`contribution`, pure) — the cohort rule: a case counts on the day it was submitted
(Asia/Shanghai), in the region it was placed in AND in every region above it (each level keeps its own totals, so
a region's figures are read from its own rows, never summed over the regions below at read time), under its CURRENT
service type, grade, category and holding unit:

- received: 1 for every case except a merged duplicate (its people and parties went to the main case).
- concluded: the handling reached a recorded result and was not reopened: status resolved, confirmed or closed
  (办结). A reopened case leaves `concluded` until it is resolved again.
- resolved: concluded with an outcome of "resolved" or "partly resolved" (化解); "not resolved: referred to
  arbitration or litigation" is concluded but not resolved. resolution rate = resolved ÷ received.
- on_time: concluded, and the (last) result was recorded within the resolve step's time limit
  (`Case.resolved_on_time`, set by case_resolve from the SLA deadline). on-time rate = on_time ÷ concluded.
- rated / satisfied: the resident's satisfaction is recorded / is "satisfied" or "basically satisfied"
  (a reopened case is recorded as dissatisfied). satisfaction rate = satisfied ÷ rated.
- people, money_cents: people involved and money involved (in fen); collective: people ≥ rules.COLLECTIVE_PEOPLE.
- respondents: 1 per distinct normalised name of an ORGANISATION named as respondent on the case (not for a merged
  duplicate); a private person named as respondent is never listed on a wall screen (as the backlog's suggestions).
- open (now, not by day): 1 when the status is open (workflow.OPEN_STATES), by region, grade and service type.

`snapshot(case)` reads what the case contributes now; `case_changed(before, case)` applies the difference
(new − old) to the counter rows with additive upserts (see `_add`). Every path that changes a counted field or the
respondent parties calls both: cases.services (_act, case_submit, case_merge) and privacy.anonymise.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import F, Model

from fengqiao.dashboard import rules
from fengqiao.dashboard.models import TALLY_MODELS, CategoryTally, DayTally, OpenTally, RespondentTally, UnitTally

LOCAL = ZoneInfo("Asia/Shanghai")
OPEN_STATES = frozenset(
    {"submitted", "accepted", "dispatched", "returned", "signed", "in_progress", "on_hold", "resolved"}
)
CONCLUDED_STATES = frozenset({"resolved", "confirmed", "closed"})
RESOLVED_OUTCOMES = frozenset({"resolved", "partly"})
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
RESPONDENT_MAX = 100

Key = tuple  # the model's KEY fields, in order
Contribution = dict[tuple[type[Model], Key], dict[str, int]]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the counters need to know of one case."""

    status: str
    submitted_at: datetime
    places: tuple[tuple[int, str], ...]  # (id, path) of the case's region and of every region above it
    service_type: str
    grade: str
    category_id: int  # 0: none
    unit_id: int
    people: int
    amount: Decimal | None
    outcome: str
    satisfaction: str
    resolved_on_time: bool | None
    respondents: tuple[str, ...] = ()  # names as written; normalised here


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


_SPACE_PUNCT = re.compile(r"[\s\u3000.,，。·•、'\"“”‘’()（）\[\]【】<>《》-]+")


def respondent_key(name: str) -> str:
    """One key for the same respondent written differently: full-width folded, spaces and punctuation gone."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return _SPACE_PUNCT.sub("", text)[:RESPONDENT_MAX]


def contribution(f: Facts) -> Contribution:
    """The counter rows `f` contributes to and by how much (rows with nothing are left out). Pure."""
    out: Contribution = {}
    if f.status in OPEN_STATES:
        for region_id, path in f.places:
            out[(OpenTally, (region_id, path, f.grade, f.service_type))] = {"open": 1}
    if f.status == "merged":
        return out
    day = local_day(f.submitted_at)
    concluded = f.status in CONCLUDED_STATES
    resolved = concluded and f.outcome in RESOLVED_OUTCOMES
    on_time = concluded and bool(f.resolved_on_time)
    measures = {
        "received": 1,
        "resolved": int(resolved),
        "concluded": int(concluded),
        "on_time": int(on_time),
        "rated": int(bool(f.satisfaction)),
        "satisfied": int(f.satisfaction in SATISFIED),
        "people": f.people,
        "money_cents": int((f.amount or Decimal(0)) * 100),
        "collective": int(rules.is_collective(f.people)),
    }
    measures = _nonzero(measures)
    unit = _nonzero({"received": 1, "resolved": int(resolved), "concluded": int(concluded), "on_time": int(on_time)})
    respondents = sorted({respondent_key(n) for n in f.respondents} - {""})
    for region_id, path in f.places:  # every level holds its own total: a region's figures are its own rows
        out[(DayTally, (day, region_id, path, f.service_type, f.grade))] = dict(measures)
        out[(CategoryTally, (day, region_id, path, f.category_id))] = {"received": 1}
        out[(UnitTally, (day, region_id, path, f.unit_id))] = dict(unit)
        for key in respondents:
            out[(RespondentTally, (day, region_id, path, key))] = {"received": 1}
    return out


def ancestor_paths(path: str) -> list[str]:
    """The paths of a region and of every region above it, the region's own first ("/a/b/" → "/a/b/", "/a/")."""
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[: n + 1]) + "/" for n in range(len(codes) - 1, -1, -1)]


def places_of(path: str, ids: Mapping[str, int]) -> tuple[tuple[int, str], ...]:
    """(id, path) of a region and the regions above it that `ids` (path → id) knows."""
    return tuple((ids[p], p) for p in ancestor_paths(path) if p in ids)


def _nonzero(measures: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in measures.items() if v}


def difference(before: Contribution, after: Contribution) -> Contribution:
    """after − before, row by row, leaving out what does not change."""
    out: Contribution = {}
    for row in before.keys() | after.keys():
        old, new = before.get(row, {}), after.get(row, {})
        delta = {m: new.get(m, 0) - old.get(m, 0) for m in old.keys() | new.keys()}
        delta = _nonzero(delta)
        if delta:
            out[row] = delta
    return out


def add_up(contributions: Iterable[Contribution]) -> Contribution:
    """The sum of many contributions (the full recount)."""
    total: Contribution = {}
    for c in contributions:
        _add_into(total, c)
    return {row: _nonzero(m) for row, m in total.items() if _nonzero(m)}


def _add_into(total: Contribution, c: Contribution) -> None:
    for row, measures in c.items():
        slot = total.setdefault(row, {})
        for m, v in measures.items():
            slot[m] = slot.get(m, 0) + v


# --- reading a case ----------------------------------------------------------------------------------------------


def facts_of(case, respondents: Iterable[str] | None = None) -> Facts:
    """The facts of a saved case; the respondent names are read from its parties unless given."""
    from fengqiao.org.models import Region

    if respondents is None:
        respondents = _respondent_names([case.pk]).get(case.pk, ())
    lineage = ancestor_paths(case.region.path)
    ids = dict(Region.objects.filter(path__in=lineage).values_list("path", "id"))
    return Facts(
        status=case.status,
        submitted_at=case.submitted_at,
        places=places_of(case.region.path, ids),
        service_type=case.service_type,
        grade=case.grade,
        category_id=case.category_id or 0,
        unit_id=case.holder_unit_id,
        people=case.people_count,
        amount=case.amount,
        outcome=case.outcome,
        satisfaction=case.satisfaction,
        resolved_on_time=case.resolved_on_time,
        respondents=tuple(respondents),
    )


def _respondent_names(case_ids: list[int], registry=None) -> dict[int, list[str]]:
    """The names of the organisations named as respondents, by case."""
    party = (registry or django_apps).get_model("cases", "Party")
    names: dict[int, list[str]] = defaultdict(list)
    rows = party.objects.filter(case_id__in=case_ids, role="respondent", kind="organisation").values_list(
        "case_id", "name"
    )
    for case_id, name in rows:
        names[case_id].append(name)
    return names


def snapshot(case) -> Contribution:
    """What the counters hold for `case` now (call before changing it, inside the transaction)."""
    return contribution(facts_of(case))


def case_changed(before: Contribution | None, case) -> None:
    """Apply to the counters what `case` contributes now minus what it contributed (`before`; None: new case)."""
    apply(difference(before or {}, contribution(facts_of(case))))


def apply(delta: Contribution) -> None:
    for (model, key), measures in sorted(delta.items(), key=_lock_order):
        _add(model, key, measures)


def _lock_order(item) -> tuple:
    (model, key), _ = item
    return (model.__name__, tuple(str(k) for k in key))  # one order everywhere: no deadlock between two writers


def _add(model: type[Model], key: Key, measures: Mapping[str, int]) -> None:
    """Add `measures` to the row `key`, creating it if needed, correctly when two transactions do it at once.

    UPDATE … SET n = n + d first; if no row is there, INSERT … ON CONFLICT DO NOTHING (a row another transaction
    is creating makes this wait for it, on PostgreSQL; SQLite writes one transaction at a time), then the UPDATE
    again, which now finds the row. Never an upsert that overwrites: the additions of both writers stay.
    """
    fields = dict(zip(model.KEY, key, strict=True))  # type: ignore[attr-defined]
    unique = {k: v for k, v in fields.items() if k != "path"}
    changes = {m: F(m) + d for m, d in measures.items()}
    rows = model._default_manager.filter(**unique)
    if rows.update(**changes):
        return
    model._default_manager.bulk_create([model(**fields)], ignore_conflicts=True)
    rows.update(**changes)


# --- the full recount (rebuild_tallies and the tests) ------------------------------------------------------------


def recount(batch: int = 2000, registry=None) -> Contribution:
    """What the counters should hold, counted from every case (in batches of `batch`); `registry`: the apps of a
    migration (default: the project's)."""
    registry = registry or django_apps
    case_model = registry.get_model("cases", "Case")
    paths = dict(registry.get_model("org", "Region").objects.values_list("id", "path"))
    ids = {path: pk for pk, path in paths.items()}
    lineages = {pk: places_of(path, ids) for pk, path in paths.items()}
    fields = (
        "pk",
        "status",
        "submitted_at",
        "region_id",
        "service_type",
        "grade",
        "category_id",
        "holder_unit_id",
        "people_count",
        "amount",
        "outcome",
        "satisfaction",
        "resolved_on_time",
    )
    total: Contribution = {}
    last = 0
    while True:
        rows = list(case_model.objects.filter(pk__gt=last).order_by("pk").values_list(*fields)[:batch])
        if not rows:
            return {row: _nonzero(m) for row, m in total.items() if _nonzero(m)}
        names = _respondent_names([r[0] for r in rows], registry)
        for pk, status, at, region_id, st, grade, cat, unit, people, amount, outcome, sat, on_time in rows:
            _add_into(
                total,
                contribution(
                    Facts(
                        status=status,
                        submitted_at=at,
                        places=lineages[region_id],
                        service_type=st,
                        grade=grade,
                        category_id=cat or 0,
                        unit_id=unit,
                        people=people,
                        amount=amount,
                        outcome=outcome,
                        satisfaction=sat,
                        resolved_on_time=on_time,
                        respondents=tuple(names.get(pk, ())),
                    )
                ),
            )
        last = rows[-1][0]


def stored() -> Contribution:
    """What the counter tables hold now (rows with only zeros left out)."""
    out: Contribution = {}
    for model in TALLY_MODELS:
        keys, measures = model.KEY, model.MEASURES  # type: ignore[attr-defined]
        for row in model._default_manager.values_list(*keys, *measures).iterator(chunk_size=5000):
            values = _nonzero(dict(zip(measures, row[len(keys) :], strict=True)))
            if values:
                out[(model, tuple(row[: len(keys)]))] = values
    return out


def compare(expected: Contribution, actual: Contribution) -> list[str]:
    """The rows where the counters differ from the recount, one line each (empty: they agree)."""
    lines = []
    for row in sorted(expected.keys() | actual.keys(), key=lambda r: (r[0].__name__, tuple(str(k) for k in r[1]))):
        want, have = expected.get(row, {}), actual.get(row, {})
        if want != have:
            lines.append(f"{row[0].__name__} {row[1]}: counted {want}, stored {have}")
    return lines


@transaction.atomic
def rebuild(batch: int = 2000, registry=None) -> int:
    """Replace every counter row by a full recount; returns the number of rows written."""
    registry = registry or django_apps
    counted = recount(batch, registry)
    written = 0
    for cls in TALLY_MODELS:
        model = registry.get_model("dashboard", cls.__name__)
        model.objects.all().delete()
        rows = [
            model(**dict(zip(cls.KEY, key, strict=True)), **measures)  # type: ignore[attr-defined]
            for (c, key), measures in counted.items()
            if c is cls
        ]
        model.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written
