"""Rules of the organisation tree, as data and plain functions (no database).

- which region level hangs under which, and the shape of each level's code;
- which unit kinds are centres, and which kind of centre serves which level;
- which roles a member may hold in which kind of unit.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from fengqiao.org.models import RegionLevel, Role, UnitKind

PARENT_LEVEL: dict[str, str | None] = {
    RegionLevel.CITY: None,
    RegionLevel.DISTRICT: RegionLevel.CITY,
    RegionLevel.STREET: RegionLevel.DISTRICT,
    RegionLevel.COMMUNITY: RegionLevel.STREET,
    RegionLevel.GRID: RegionLevel.COMMUNITY,
}

# 统计用区划代码: 6 digits (city/district), 9 (street, 乡级), 12 (community, 村级).
CODE_PATTERN: dict[str, re.Pattern[str]] = {
    RegionLevel.CITY: re.compile(r"^\d{6}$"),
    RegionLevel.DISTRICT: re.compile(r"^\d{6}$"),
    RegionLevel.STREET: re.compile(r"^\d{9}$"),
    RegionLevel.COMMUNITY: re.compile(r"^\d{12}$"),
    RegionLevel.GRID: re.compile(r"^\d{12}-[0-9A-Za-z]{1,6}$"),
}

CENTRE_KINDS = frozenset({UnitKind.DISTRICT_CENTRE, UnitKind.STREET_CENTRE, UnitKind.COMMUNITY_CENTRE})

CENTRE_FOR_LEVEL: dict[str, str] = {
    RegionLevel.DISTRICT: UnitKind.DISTRICT_CENTRE,
    RegionLevel.STREET: UnitKind.STREET_CENTRE,
    RegionLevel.COMMUNITY: UnitKind.COMMUNITY_CENTRE,
}

# The kind of centre a centre reports to ("小事不出社区，大事不出街道，难事不出区").
CENTRE_PARENT_KIND: dict[str, str | None] = {
    UnitKind.DISTRICT_CENTRE: None,
    UnitKind.STREET_CENTRE: UnitKind.DISTRICT_CENTRE,
    UnitKind.COMMUNITY_CENTRE: UnitKind.STREET_CENTRE,
}

HANDLING_KINDS = frozenset(set(UnitKind.values) - CENTRE_KINDS)

# Which roles make sense in which kinds of unit.
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    Role.STATION_STAFF: CENTRE_KINDS,
    Role.OPERATOR: CENTRE_KINDS,
    Role.HANDLER: HANDLING_KINDS,
    Role.MEDIATOR: frozenset({UnitKind.MEDIATION_COMMITTEE, UnitKind.JUSTICE, *CENTRE_KINDS}),
    Role.COURT_CLERK: frozenset({UnitKind.COURT}),
    Role.LEADER: frozenset(UnitKind.values),
    Role.GRID_WORKER: frozenset({UnitKind.COMMUNITY_CENTRE, UnitKind.STREET_CENTRE}),
    Role.VOLUNTEER: frozenset({UnitKind.COMMUNITY_CENTRE, UnitKind.STREET_CENTRE}),
    Role.ADMINISTRATOR: frozenset(UnitKind.values),
    Role.AUDITOR: frozenset(UnitKind.values),
    Role.SECURITY_OFFICER: frozenset(UnitKind.values),
}


def region_code_error(*, level: str, code: str, parent_level: str | None, parent_code: str | None) -> str | None:
    """Why `code` cannot be a region of `level` under that parent, or None when it can."""
    if level not in PARENT_LEVEL:
        return _("Unknown region level “%(level)s”.") % {"level": level}
    if not CODE_PATTERN[level].match(code):
        return _("“%(code)s” is not a valid code for a %(level)s.") % {
            "code": code,
            "level": RegionLevel(level).label,
        }
    expected_parent = PARENT_LEVEL[level]
    if expected_parent is None:
        if parent_level is not None:
            return _("A city has no parent region.")
        return None
    if parent_level != expected_parent:
        return _("A %(level)s must sit under a %(parent)s.") % {
            "level": RegionLevel(level).label,
            "parent": RegionLevel(expected_parent).label,
        }
    assert parent_code is not None, "a parent region is named by its level and its code"
    prefix = parent_code[:4] if parent_level == RegionLevel.CITY else parent_code
    if not code.startswith(prefix):
        return _("Code %(code)s does not belong under %(parent)s.") % {"code": code, "parent": parent_code}
    return None


def unit_parent_error(*, kind: str, parent_kind: str | None, creates_cycle: bool) -> str | None:
    """Why a unit of `kind` cannot report to a unit of `parent_kind`, or None."""
    if creates_cycle:
        return _("A unit cannot report to itself or to a unit below it.")
    if kind in CENTRE_KINDS:
        wanted = CENTRE_PARENT_KIND[kind]
        if wanted is None and parent_kind is not None:
            return _("A district centre reports to no other unit.")
        if wanted is not None and parent_kind != wanted:
            return _("A %(kind)s must report to a %(parent)s.") % {
                "kind": UnitKind(kind).label,
                "parent": UnitKind(wanted).label,
            }
        return None
    if parent_kind is None:
        return _("A handling unit must report to a centre or another unit.")
    return None


def role_unit_error(*, role: str, unit_kind: str) -> str | None:
    if role not in ROLE_UNIT_KINDS:
        return _("Unknown role “%(role)s”.") % {"role": role}
    if unit_kind not in ROLE_UNIT_KINDS[role]:
        return _("A %(role)s cannot belong to a %(kind)s.") % {
            "role": Role(role).label,
            "kind": UnitKind(unit_kind).label,
        }
    return None
