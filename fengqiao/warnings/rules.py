"""The closed loop of a warning, as data and plain functions (no database).

- Levels are ordered yellow < orange < red; a new signal may raise a warning's level, never lower it (a warning
  keeps the worst it has shown until it is closed).
- States: open → acknowledged → acting → closed. Acknowledging says "we have seen it, we own it"; each action
  taken is recorded (the first one moves the warning to "acting"); closing needs an outcome and a written result.
  A warning may be closed from any state (a false alarm is closed without action), and a closed warning stays
  closed: when the phenomenon comes back the radar raises a new warning that links to it.
- Who: the leaders and operators of a centre whose region contains the warning's place steer it (acknowledge,
  record an action, close); the members (handlers, leaders) of the suggested owner unit acknowledge it and record
  what they did; the auditor of the region reads; nobody else sees it.
- The suggested owner: the department the responsibility list names for the category, for the kinds about a
  subject (a burst, a cluster of near-identical texts, many cases against one respondent); otherwise, and when the
  list names no department, the centre of the place.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_noop

from fengqiao.core.reasons import reason
from fengqiao.org.access import Scope
from fengqiao.org.models import Role

LEVELS = ("yellow", "orange", "red")  # ascending
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}

OPEN, ACKNOWLEDGED, ACTING, CLOSED = "open", "acknowledged", "acting", "closed"
NOT_CLOSED = (OPEN, ACKNOWLEDGED, ACTING)
STATE_RANK = {OPEN: 0, ACKNOWLEDGED: 1, ACTING: 2, CLOSED: 3}

ACKNOWLEDGE, RECORD_ACTION, CLOSE = "acknowledge", "action", "close"
# From which states each step of the loop may be taken, and where it leads.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ACKNOWLEDGE: (frozenset({OPEN}), ACKNOWLEDGED),
    RECORD_ACTION: (frozenset({ACKNOWLEDGED, ACTING}), ACTING),
    CLOSE: (frozenset({OPEN, ACKNOWLEDGED, ACTING}), CLOSED),
}

STEERING_ROLES = frozenset({Role.LEADER, Role.OPERATOR})  # of a centre covering the place
READING_ROLES = STEERING_ROLES | {Role.AUDITOR}
OWNER_ROLES = frozenset({Role.LEADER, Role.HANDLER})  # members of the suggested owner unit

# Kinds about a subject (a category, a respondent): a department may own them. The others go to the place's centre.
ROUTED_KINDS = frozenset({"burst", "cluster", "respondent"})

# The English labels of the kinds (the same words as models.Kind, for stored titles translated when shown).
KIND_LABELS = {
    "burst": gettext_noop("Burst of similar demands"),
    "cluster": gettext_noop("Near-identical texts"),
    "respondent": gettext_noop("Many cases against one respondent"),
    "repeat": gettext_noop("Repeat complainant"),
    "collective": gettext_noop("Collective case"),
    "red_open": gettext_noop("Red case open too long"),
    "drift": gettext_noop("Grades drifting upward"),
}

# Who is told when a warning is raised, and by which notification kind (an SMS goes with the red ones:
# settings.FQ_SMS_KINDS).
NOTIFY_KIND = {"red": "warning_red", "orange": "warning", "yellow": "warning"}


def higher(a: str, b: str) -> str:
    """The more severe of two levels."""
    return a if LEVEL_RANK.get(a, -1) >= LEVEL_RANK.get(b, -1) else b


def rises(before: str, after: str) -> bool:
    return LEVEL_RANK.get(after, -1) > LEVEL_RANK.get(before, -1)


def next_state(step: str, state: str) -> str | None:
    """The state after `step`, or None when the step cannot be taken from `state`."""
    sources, target = TRANSITIONS[step]
    return target if state in sources else None


def sort_key(state: str, level: str, raised_at_ts: float) -> tuple:
    """Not closed first, then most severe, then newest."""
    return (state == CLOSED, -LEVEL_RANK.get(level, -1), -raised_at_ts)


def _centre_grants(scope: Scope, roles: Iterable[str], place_id: int):
    return [g for g in scope.grants if g.role in roles and place_id in g.region_ids]


def may_read(scope: Scope, *, place_id: int, owner_unit_id: int | None) -> bool:
    if _centre_grants(scope, READING_ROLES, place_id):
        return True
    return owner_unit_id is not None and any(g.role in OWNER_ROLES and g.unit_id == owner_unit_id for g in scope.grants)


def may_steer(scope: Scope, *, place_id: int) -> bool:
    """Leaders and operators of a centre covering the place: every step, closing included."""
    return bool(_centre_grants(scope, STEERING_ROLES, place_id))


def may_work(scope: Scope, *, place_id: int, owner_unit_id: int | None) -> bool:
    """Acknowledge and record an action: the steering centre, or the suggested owner's members."""
    if may_steer(scope, place_id=place_id):
        return True
    return owner_unit_id is not None and any(g.role in OWNER_ROLES and g.unit_id == owner_unit_id for g in scope.grants)


def allowed_steps(scope: Scope, *, state: str, place_id: int, owner_unit_id: int | None) -> list[str]:
    """The steps this viewer may take now (the buttons of the page)."""
    steps = []
    for step in (ACKNOWLEDGE, RECORD_ACTION, CLOSE):
        if next_state(step, state) is None:
            continue
        if step == CLOSE and not may_steer(scope, place_id=place_id):
            continue
        if step != CLOSE and not may_work(scope, place_id=place_id, owner_unit_id=owner_unit_id):
            continue
        steps.append(step)
    return steps


def title(kind: str, *, place: str, category: str = "", respondent: str = "") -> dict:
    """The warning's title as a stored reason: what and where, translated when shown."""
    label = reason(KIND_LABELS.get(kind, kind))
    if respondent:
        return reason(
            gettext_noop("%(kind)s: %(respondent)s, %(place)s"), kind=label, respondent=respondent, place=place
        )
    if category:
        return reason(gettext_noop("%(kind)s: %(category)s, %(place)s"), kind=label, category=category, place=place)
    return reason(gettext_noop("%(kind)s: %(place)s"), kind=label, place=place)


# A closed warning's phenomenon "comes back" when this many of its cases arrived after it was closed (one stray
# case after the action is not a return of a burst; for one person or one case, one new case is).
RECUR_MIN_NEW_CASES = {"burst": 2, "cluster": 2, "respondent": 2, "drift": 2}


def recur_min_new_cases(kind: str) -> int:
    return RECUR_MIN_NEW_CASES.get(kind, 1)
