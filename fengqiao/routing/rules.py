"""Which unit handles a case: the responsibility list as plain values and plain functions (no database).

A rule applies to a case when it is active and valid on the case's day, its category is the case's
category or that category's parent (or the rule names no category), the case's place lies in the
rule's region, and (when the rule has keywords) the text contains one of them ("A+B": both A and B).
Among the rules that apply, the most specific wins:

1. a second-level category beats a first-level one, which beats a rule with no category;
2. then a rule with keywords beats one without;
3. then a smaller region beats a larger one;
4. then the higher priority; then the newer rule.

`decide` returns every applicable rule, best first: the first decides, the next are the alternatives the
operator sees. Loops and contradictions are found by `find_loop` and `contradicts` when a rule is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_noop

from fengqiao.core.reasons import reason

LEVEL_DEPTH = {"district": 2, "street": 3, "community": 4}  # segments of Region.path for each level


@dataclass(frozen=True)
class Rule:
    id: int
    category_id: int | None = None
    category_level: int = 0  # 0 none, 1 first-level, 2 second-level
    category_parent_id: int | None = None
    category_name: str = ""
    region_path: str = ""  # "" = everywhere; "/440300/440311/" = 光明区 and below
    region_name: str = ""
    keywords: tuple[str, ...] = ()
    unit_id: int | None = None
    unit_name: str = ""
    centre_level: str = ""
    priority: int = 100
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = True
    version: int = 1

    @property
    def target(self) -> tuple[int | None, str]:
        return (self.unit_id, self.centre_level)

    @property
    def target_name(self) -> str:
        return self.unit_name or self.centre_level

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: Rule) -> bool:
        """Do the validity periods of the two rules share at least one day?"""
        start = max(self.valid_from or date.min, other.valid_from or date.min)
        end = min(self.valid_to or date.max, other.valid_to or date.max)
        return start <= end


@dataclass(frozen=True)
class Facts:
    """What routing looks at: the category (and its parent), the place, the text, the day."""

    region_path: str
    on: date
    category_id: int | None = None
    category_parent_id: int | None = None
    text: str = ""


@dataclass(frozen=True)
class Match:
    rule: Rule
    keyword: str = ""
    rank: tuple = field(default=(), compare=False)


def keyword_hit(keywords: Iterable[str], text: str) -> str:
    """The first keyword found in `text` ("A+B" needs both parts), or "" when none is."""
    for keyword in keywords:
        parts = [p.strip() for p in keyword.split("+") if p.strip()]
        if parts and all(p in text for p in parts):
            return keyword
    return ""


def normalise_keywords(keywords: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, without blanks or repeats, in a stable order (so two rules compare equal whatever the input order)."""
    seen = []
    for k in keywords:
        k = "+".join(p.strip() for p in str(k).split("+") if p.strip())
        if k and k not in seen:
            seen.append(k)
    return tuple(sorted(seen))


def match(rule: Rule, facts: Facts) -> Match | None:
    if not rule.is_active or not rule.valid_on(facts.on):
        return None
    if rule.category_id is not None and rule.category_id not in (facts.category_id, facts.category_parent_id):
        return None
    if rule.region_path and not facts.region_path.startswith(rule.region_path):
        return None
    hit = ""
    if rule.keywords:
        hit = keyword_hit(rule.keywords, facts.text)
        if not hit:
            return None
    rank = (rule.category_level, 1 if rule.keywords else 0, rule.region_path.count("/"), rule.priority, rule.id)
    return Match(rule=rule, keyword=hit, rank=rank)


def decide(rules: Iterable[Rule], facts: Facts) -> list[Match]:
    """Every rule that applies to the facts, most specific first (see the module docstring)."""
    found = [m for m in (match(r, facts) for r in rules) if m is not None]
    return sorted(found, key=lambda m: m.rank, reverse=True)


def explain(found: Match) -> dict:
    """One line a person can check: which rule, which version, and why it applies — as a stored reason
    (fengqiao.core.reasons), shown in the reader's language."""
    rule = found.rule
    conditions = []
    if rule.category_name:
        conditions.append(reason(gettext_noop("category “%(name)s”"), name=rule.category_name))
    conditions.append(reason(gettext_noop("area “%(name)s”"), name=rule.region_name) if rule.region_name
                      else reason(gettext_noop("any area")))
    if found.keyword:
        conditions.append(reason(gettext_noop("the text mentions “%(word)s”"), word=found.keyword))
    return reason(gettext_noop("Responsibility list rule #%(id)d (version %(version)d): %(conditions)s → %(target)s"),
                  id=rule.id, version=rule.version, conditions=conditions, target=rule.target_name)


# --- checks when a rule is saved ------------------------------------------------------------


def contradicts(rule: Rule, others: Iterable[Rule]) -> Rule | None:
    """An active rule with the same category, region, keywords and priority, valid at the same time,
    that sends the case elsewhere: the list cannot say which one is meant."""
    if not rule.is_active:
        return None
    for other in others:
        if other.id == rule.id or not other.is_active:
            continue
        same_key = (other.category_id, other.region_path, normalise_keywords(other.keywords), other.priority) == (
            rule.category_id, rule.region_path, normalise_keywords(rule.keywords), rule.priority)
        if same_key and other.target != rule.target and rule.overlaps(other):
            return other
    return None


@dataclass(frozen=True)
class Centre:
    """A centre as the loop check sees it: its unit id, name and the path of the region it serves."""

    unit_id: int
    name: str
    region_path: str


def find_loop(
    rule: Rule,
    rules: Sequence[Rule],
    *,
    centre_of: Callable[[str], Centre | None],
    centre_by_unit: Callable[[int], Centre | None],
    on: date,
    max_steps: int = 12,
) -> list[str] | None:
    """Would `rule` hand its cases from one centre to another and back again?

    Start at the centre of the rule's region; whenever a rule sends the category to another centre,
    continue from that centre with the rules that apply in that centre's own region (the rule being
    saved included). Coming back to a centre already visited is a loop: the names along it are returned.
    `centre_of(region_path)` gives the centre serving a region; `centre_by_unit(id)` the centre a unit is
    (None for a department, which ends the walk).
    """
    if not rule.is_active or rule.unit_id is None:
        return None
    start = centre_of(rule.region_path)
    if start is None:
        return None
    pool = [r for r in rules if r.id != rule.id] + [rule]
    # The walk follows this rule's category and keywords: only rules that would see the same cases take part.
    relevant = [
        r for r in pool
        if r.is_active and r.valid_on(on) and r.category_id in (None, rule.category_id, rule.category_parent_id)
        and (not r.keywords or normalise_keywords(r.keywords) == normalise_keywords(rule.keywords))
    ]
    path, current, best = [start], start, rule
    for _step in range(max_steps):
        if best.unit_id is None:
            return None  # "stays with the centre of the place": no hand-over
        nxt = centre_by_unit(best.unit_id)
        if nxt is None or nxt.unit_id == current.unit_id:
            return None  # a department (or the same centre) takes it: the walk ends
        if any(c.unit_id == nxt.unit_id for c in path):
            return [c.name for c in path] + [nxt.name]
        path.append(nxt)
        current = nxt
        applicable = [r for r in relevant if not r.region_path or current.region_path.startswith(r.region_path)]
        if not applicable:
            return None
        best = max(applicable, key=lambda r: (r.category_level, bool(r.keywords), r.region_path.count("/"),
                                               r.priority, r.id))
    return None
