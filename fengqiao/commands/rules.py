"""The rules of commands and check-in, as data and plain functions (no database).

- `DEFAULT_POLICIES`: what a command of each level demands unless an administrator set otherwise
  (`CommandPolicy` rows; migration 0002 copies these). The urgent figure is LEGAL.md's "whistle" command
  (吹哨报到, Pinggu, Beijing): departments on site within 30 minutes. Major and general are this platform's
  defaults, chosen to sit between the urgent command and an ordinary dispatch (class 1 accept ≤ 30 min,
  class 2/3 in working days), and can be changed per category.
- On-site clocks run on the wall clock; a policy in working hours or working days runs on the statutory calendar
  (`sla.deadlines.due_at`).
- `assess_checkin` says what is wrong with a check-in (late, under-ranked, short-handed, far, online where on site
  was required): each is recorded, never a reason to refuse the check-in.
- `in_reach`: which units a centre may command (its own district's departments and the centres below it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from fengqiao.commands.models import ClockUnit, Flag, Level, Rank
from fengqiao.sla.deadlines import due_at as _due_at


@dataclass(frozen=True)
class Policy:
    level: str
    checkin_amount: int
    checkin_unit: str
    min_rank: int
    headcount: int
    on_site: bool
    max_distance_m: int = 500
    source: str = ""


DEFAULT_POLICIES: dict[str, Policy] = {
    Level.URGENT: Policy(Level.URGENT, 30, ClockUnit.MINUTES, Rank.SECTION, 2, True, 500,
                         "LEGAL.md: 吹哨报到 (Pinggu, Beijing) — departments on site within 30 minutes"),
    Level.MAJOR: Policy(Level.MAJOR, 2, ClockUnit.HOURS, Rank.DEPUTY_SECTION, 2, True, 500,
                        "platform default: on site within 2 hours, a deputy section chief or above"),
    Level.GENERAL: Policy(Level.GENERAL, 1, ClockUnit.WORKING_DAYS, Rank.STAFF, 1, False, 500,
                          "platform default: check in within 1 working day, online is enough"),
}

def checkin_due(policy: Policy, issued_at: datetime) -> datetime:
    """When the departments must have checked in."""
    return _due_at(issued_at, policy.checkin_amount, policy.checkin_unit)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; WGS84 positions)."""
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Assessment:
    flags: tuple[str, ...]
    top_rank: int | None
    distance_m: int | None


def assess_checkin(policy: Policy, *, due: datetime, at: datetime, ranks: list[int], on_site: bool,
                   distance: float | None, place_known: bool = True, place_radius_m: int = 0) -> Assessment:
    """What is wrong with a check-in made at `at` by people of `ranks` (each a `Rank`), on site or online,
    `distance` metres from the case's place (None: the phone gave no position). When the case has no pin of its
    own, its place is the point of its community or street (`cases.geo.case_position`), `place_radius_m` wide;
    a place nothing locates cannot be checked, and is not held against anyone."""
    flags: list[str] = []
    if at > due:
        flags.append(Flag.LATE)
    top = max(ranks) if ranks else None
    if top is None or top < policy.min_rank:
        flags.append(Flag.UNDER_RANKED)
    if len(ranks) < policy.headcount:
        flags.append(Flag.SHORT_HANDED)
    if policy.on_site and not on_site:
        flags.append(Flag.ONLINE)
    if on_site and place_known and (distance is None or distance > policy.max_distance_m + place_radius_m):
        flags.append(Flag.FAR)
    return Assessment(tuple(flags), top, None if distance is None else round(distance))


def flag_label(flag: str) -> str:
    return str(Flag(flag).label) if flag in Flag.values else flag


# --- transitions of a command ------------------------------------------------------------------------------

# (from status, move) → to status. Moves: sign, confirm, escalate, withdraw.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("awaiting", "sign"): "issued",
    ("awaiting", "withdraw"): "withdrawn",
    ("issued", "confirm"): "fulfilled",
    ("issued", "escalate"): "escalated",
    ("issued", "withdraw"): "withdrawn",
}

def next_status(status: str, move: str) -> str | None:
    return TRANSITIONS.get((status, move))


# --- who may be commanded ----------------------------------------------------------------------------------


def in_reach(issuer_path: str, issuer_region_path: str, target_kind: str, target_path: str,
             target_region_path: str, district_region_path: str) -> bool:
    """A centre commands the departments and units serving its own district (a district's departments serve
    every street, so a street centre may command them), and the centres below it; never a centre above it or a
    unit of another district."""
    from fengqiao.org.rules import CENTRE_KINDS

    if not target_region_path.startswith(district_region_path):
        return False
    if target_kind in CENTRE_KINDS:
        return target_path.startswith(issuer_path) and target_path != issuer_path
    return True
