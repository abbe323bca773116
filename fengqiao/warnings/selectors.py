"""Who sees which warnings, and the reads of the radar's pages and of the big screen.

The leaders, operators and auditors of a centre see the warnings about places in the region the centre serves
(a district centre: the whole district); the members of the suggested owner unit (its handlers and leaders) see the
warnings they are asked to own. Nobody else sees any (rules.py)."""

from __future__ import annotations

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from fengqiao.core.masking import mask_text
from fengqiao.core.reasons import render
from fengqiao.org.access import Scope, scope_for
from fengqiao.org.models import Region
from fengqiao.warnings import rules
from fengqiao.warnings.models import State, Warning


def visible_filter(scope: Scope) -> Q:
    """The Q selecting exactly the warnings this scope may read."""
    q = Q(pk__in=[])
    region_ids = frozenset().union(*(g.region_ids for g in scope.grants if g.role in rules.READING_ROLES))
    if region_ids:
        q |= Q(place_id__in=region_ids)
    owner_units = {g.unit_id for g in scope.grants if g.role in rules.OWNER_ROLES}
    if owner_units:
        q |= Q(owner_unit_id__in=owner_units)
    return q


def may_use_radar(user) -> bool:
    """Does the user have any reason to open the radar (a reading role at a centre, or an owner role)?"""
    scope = scope_for(user)
    return any((g.role in rules.READING_ROLES and g.region_ids) or g.role in rules.OWNER_ROLES for g in scope.grants)


def visible_warnings(user) -> QuerySet[Warning]:
    return Warning.objects.filter(visible_filter(scope_for(user)))


def ordered(qs: QuerySet[Warning]) -> QuerySet[Warning]:
    """Not closed first, then the most severe, then the newest."""
    return qs.annotate(
        _closed=When_(When(state=State.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()),
        _rank=When_(
            *[When(level=level, then=Value(rank)) for level, rank in rules.LEVEL_RANK.items()],
            default=Value(-1),
            output_field=IntegerField(),
        ),
    ).order_by("_closed", "-_rank", "-raised_at", "-id")


def warning_list(user, *, state: str = "", level: str = "", kind: str = "", limit: int = 200) -> list[Warning]:
    qs = visible_warnings(user)
    if state == "active":
        qs = qs.exclude(state=State.CLOSED)
    elif state:
        qs = qs.filter(state=state)
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    return list(ordered(qs).select_related("place", "owner_unit")[:limit])


def open_count(user) -> dict[str, int]:
    """Warnings not closed in the user's scope, per level (the leaders' home panel)."""
    counts = {level: 0 for level in rules.LEVELS}
    for level in visible_warnings(user).exclude(state=State.CLOSED).values_list("level", flat=True):
        counts[level] = counts.get(level, 0) + 1
    return counts


def open_warnings_for_screen(region: Region, scope: Scope, *, limit: int = 50) -> list[dict]:
    """The warnings not closed about places in `region` that `scope` may read, most severe and newest first,
    shaped for /screen/data.json (contract A: id, level, title, region, opened_at, url)."""
    qs = (
        Warning.objects.filter(visible_filter(scope), place__path__startswith=region.path)
        .exclude(state=State.CLOSED)
        .select_related("place")
        .only("pk", "level", "title", "raised_at", "place__name", "state")
    )
    return [
        {
            "id": w.pk,
            "level": w.level,
            "title": mask_text(render(w.title)),
            "region": w.place.name,
            "opened_at": w.raised_at.isoformat(),
            "url": reverse("warnings:detail", args=[w.pk]),
        }
        for w in ordered(qs)[:limit]
    ]
