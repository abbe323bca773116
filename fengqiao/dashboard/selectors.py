"""What the big screen shows (contract A of issue 14: /screen/data.json), read from the counter tables.

No scan of cases: the figures come from the tallies (`fengqiao.dashboard.models`) with one grouped query each;
pins and the latest cases are bounded, indexed queries; region points are computed once per request. The number
of queries does not depend on the number of cases.

Who sees it: a member whose grant covers regions (a centre's operator, leader or auditor: the roles holding
case.dispatch, case.own or audit.read in a unit-wide role) sees the figures of those regions — exactly the cases
such a member sees (org.access: centres see every case placed in the regions they serve).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, Category, Grade, ServiceType
from fengqiao.cases.titles import shorten
from fengqiao.core.masking import mask_text
from fengqiao.dashboard import rules
from fengqiao.dashboard.models import CategoryTally, DayTally, OpenTally, RespondentTally, UnitTally
from fengqiao.dashboard.tallies import LOCAL, OPEN_STATES
from fengqiao.org.access import UNIT_WIDE_ROLES, Capability, scope_for
from fengqiao.org.models import OrgUnit, QrPlace, Region, RegionLevel, ServicePoint

SCREEN_READERS = frozenset({Capability.CASE_DISPATCH, Capability.CASE_OWN, Capability.AUDIT_READ})
PIN_TITLE_MAX = 24


def screen_region_ids(user) -> frozenset[int]:
    """The regions whose figures `user` may see on the big screen (empty: the screen is not for them)."""
    scope = scope_for(user)
    return frozenset().union(
        *(g.region_ids for g in scope.grants if g.role in UNIT_WIDE_ROLES and SCREEN_READERS & g.capabilities)
    )


def may_see_screen(user) -> bool:
    return bool(screen_region_ids(user))


def top_regions(region_ids: frozenset[int]) -> list[Region]:
    """The highest regions of a viewer's scope (usually one: their centre's region), top level first."""
    regions = list(Region.objects.filter(pk__in=region_ids).exclude(parent_id__in=region_ids).order_by("path"))
    return sorted(regions, key=lambda r: (r.path.count("/"), r.code))


def today() -> date:
    return timezone.now().astimezone(LOCAL).date()


def _sum(qs, *measures: str) -> dict[str, int]:
    got = qs.aggregate(**{m: Sum(m) for m in measures})
    return {m: int(got[m] or 0) for m in measures}


def _rate(part: int, whole: int) -> float | None:
    return rules.rate(part, whole)


def _geometry(region: Region):
    return (
        region.boundary.get("geometry", region.boundary)
        if isinstance(region.boundary, dict) and region.boundary.get("type") == "Feature"
        else region.boundary
    )


class _Points:
    """Points of the regions under one region, computed once per request (as fengqiao.cases.geo.region_point:
    the position an administrator gave, the middle of the outline, or the middle of the service points and
    QR-code places with a position inside it)."""

    def __init__(self, root: Region, regions: list[Region], service_points: list[ServicePoint]):
        self.regions = {r.pk: r for r in regions}
        self.by_path = {r.path: r for r in regions}
        self._cache: dict[int, tuple[float, float] | None] = {}
        places = [
            (sp.region.path, sp.latitude, sp.longitude)
            for sp in service_points
            if sp.latitude is not None and sp.longitude is not None
        ]
        places += [
            (path, lat, lng)
            for path, lat, lng in QrPlace.objects.filter(
                is_active=True,
                region__path__startswith=root.path,
                latitude__isnull=False,
                longitude__isnull=False,
            ).values_list("region__path", "latitude", "longitude")
        ]
        self.places = places

    def of(self, region: Region) -> tuple[float, float] | None:
        if region.pk in self._cache:
            return self._cache[region.pk]
        point: tuple[float, float] | None = None
        if region.latitude is not None and region.longitude is not None:
            point = (region.latitude, region.longitude)
        elif region.boundary:
            try:
                from shapely.geometry import shape

                p = shape(_geometry(region)).representative_point()
                point = (p.y, p.x)
            except (ValueError, TypeError, AttributeError, KeyError):  # a broken outline places nothing
                point = None
        if point is None:
            inside = [(lat, lng) for path, lat, lng in self.places if path.startswith(region.path)]
            if inside:
                point = (sum(p[0] for p in inside) / len(inside), sum(p[1] for p in inside) / len(inside))
        self._cache[region.pk] = point
        return point

    def for_case(self, region_id: int) -> tuple[float, float] | None:
        """The point of the smallest place (grid, community or street) above a case's region that has one."""
        node = self.regions.get(region_id)
        while node is not None and node.level in (RegionLevel.GRID, RegionLevel.COMMUNITY, RegionLevel.STREET):
            point = self.of(node)
            if point is not None:
                return point
            node = self.regions.get(node.parent_id) if node.parent_id else None
        return None


def screen_data(user, region: Region, date_from: date, date_to: date) -> dict:
    """Contract A. The caller has checked that `region` is in the viewer's screen scope and the period is valid."""
    path = region.path
    days = rules.days_between(date_from, date_to)

    # regions: the trail from the viewer's top region, the children, and every region below (for points)
    allowed = screen_region_ids(user)
    codes = [c for c in path.strip("/").split("/") if c]
    trail_regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    trail = [
        {"code": c, "name": trail_regions[c].name}
        for c in codes
        if c in trail_regions and trail_regions[c].pk in allowed
    ]
    below = list(
        Region.objects.filter(path__startswith=path).only(
            "pk", "code", "name", "level", "parent_id", "path", "boundary", "latitude", "longitude"
        )
    )
    service_points = list(
        ServicePoint.objects.filter(region__path__startswith=path, is_active=True)
        .select_related("region")
        .only("name", "latitude", "longitude", "region__path")
    )
    points = _Points(region, below, service_points)
    children = sorted((r for r in below if r.parent_id == region.pk), key=lambda r: r.code)
    paths = {r.pk: r.path for r in below}
    child_ids = sorted(c.pk for c in children)
    # each region keeps its own totals (tallies.contribution): its figures are its own rows, read through the
    # counters' (region, day, …) keys on every database; the children's figures are the children's rows
    in_period = Q(region_id=region.pk, day__gte=date_from, day__lte=date_to)

    # counters of the period (the cohort of cases submitted in it)
    day_rows = DayTally.objects.filter(in_period)
    by_type = {
        row["service_type"]: row
        for row in day_rows.values("service_type").annotate(
            sum_received=Sum("received"),
            sum_resolved=Sum("resolved"),
            sum_concluded=Sum("concluded"),
            sum_on_time=Sum("on_time"),
            sum_rated=Sum("rated"),
            sum_satisfied=Sum("satisfied"),
            sum_people=Sum("people"),
            sum_money=Sum("money_cents"),
            sum_collective=Sum("collective"),
        )
    }
    total = defaultdict(int)
    for row in by_type.values():
        for key in (
            "received",
            "resolved",
            "concluded",
            "on_time",
            "rated",
            "satisfied",
            "people",
            "money",
            "collective",
        ):
            total[key] += int(row[f"sum_{key}"] or 0)
    trend_rows = {
        row["day"]: row
        for row in day_rows.values("day").annotate(sum_received=Sum("received"), sum_resolved=Sum("resolved"))
    }
    child_received: dict[str, int] = defaultdict(int)
    for region_id, n in (
        DayTally.objects.filter(region_id__in=child_ids, day__gte=date_from, day__lte=date_to)
        .values_list("region_id")
        .annotate(n=Sum("received"))
        .values_list("region_id", "n")
    ):
        child_received[paths[region_id]] += int(n or 0)

    # open now
    open_total = {"open": 0, "red": 0, "yellow": 0}
    child_open: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "red": 0, "yellow": 0})
    for region_id, grade, n in (
        OpenTally.objects.filter(region_id__in=[region.pk, *child_ids])
        .values_list("region_id", "grade")
        .annotate(n=Sum("open"))
        .values_list("region_id", "grade", "n")
    ):
        n = int(n or 0)
        if region_id == region.pk:
            open_total["open"] += n
            if grade in ("red", "yellow"):
                open_total[grade] += n
        else:
            slot = child_open[paths[region_id]]
            slot["open"] += n
            if grade in ("red", "yellow"):
                slot[grade] += n

    categories = list(
        CategoryTally.objects.filter(in_period)
        .values("category_id")
        .annotate(n=Sum("received"))
        .filter(n__gt=0)
        .order_by("-n", "category_id")[: rules.TOP_N]
    )
    category_names = {
        c.pk: c for c in Category.objects.filter(pk__in=[c["category_id"] for c in categories]).select_related("parent")
    }
    respondents = list(
        RespondentTally.objects.filter(in_period)
        .values("respondent")
        .annotate(n=Sum("received"))
        .filter(n__gt=0)
        .order_by("-n", "respondent")[: rules.TOP_N]
    )
    units = list(
        UnitTally.objects.filter(in_period)
        .values("unit_id")
        .annotate(
            sum_received=Sum("received"),
            sum_resolved=Sum("resolved"),
            sum_concluded=Sum("concluded"),
            sum_on_time=Sum("on_time"),
        )
        .filter(sum_received__gt=0)
        .order_by("-sum_received", "unit_id")[: rules.TOP_N]
    )
    unit_names = dict(OrgUnit.objects.filter(pk__in=[u["unit_id"] for u in units]).values_list("pk", "name"))

    under = Q(region_id__in=[r.pk for r in below])  # the index on (region, status, submitted_at)
    pins = []
    for code, title, grade, lat, lng, region_id in (
        Case.objects.filter(under, status__in=sorted(OPEN_STATES))
        .order_by("-submitted_at")
        .values_list("code", "title", "grade", "latitude", "longitude", "region_id")[: rules.PINS_MAX]
    ):
        approximate = lat is None or lng is None
        point = points.for_case(region_id) if approximate else (lat, lng)
        if point is None:
            continue
        pins.append(
            {
                "code": code,
                "title": mask_text(shorten(title, PIN_TITLE_MAX)),
                "grade": grade,
                "lat": point[0],
                "lng": point[1],
                "approximate": approximate,
                "url": reverse("cases:detail", args=[code]),
            }
        )
    latest = [
        {
            "code": c.code,
            "title": mask_text(shorten(c.title, PIN_TITLE_MAX)),
            "grade": c.grade,
            "region": c.region.name,
            "submitted_at": c.submitted_at.isoformat(),
            "url": reverse("cases:detail", args=[c.code]),
        }
        for c in Case.objects.filter(under)
        .select_related("region")
        .only("code", "title", "grade", "submitted_at", "region__name")
        .order_by("-submitted_at")[: rules.LATEST_N]
    ]

    point = points.of(region)
    data = {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat(), "days": len(days)},
        "region": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "trail": trail,
            "boundary": _geometry(region),
            "point": list(point) if point else None,
        },
        "totals": {
            "received": total["received"],
            "resolved": total["resolved"],
            "resolution_rate": _rate(total["resolved"], total["received"]),
            "satisfied_rate": _rate(total["satisfied"], total["rated"]),
            "on_time_rate": _rate(total["on_time"], total["concluded"]),
            "people": total["people"],
            "money": str((Decimal(total["money"]) / 100).quantize(Decimal("0.01"))),
            "judicial_confirmations": judicial_confirmations(path, date_from, date_to),
            "open": open_total["open"],
            "open_red": open_total["red"],
            "open_yellow": open_total["yellow"],
            "collective": total["collective"],
        },
        "by_service_type": [
            {
                "key": st.value,
                "label": str(st.label),
                "received": int((by_type.get(st.value) or {}).get("sum_received") or 0),
                "resolved": int((by_type.get(st.value) or {}).get("sum_resolved") or 0),
            }
            for st in ServiceType
        ],
        "trend": [
            {
                "day": d.isoformat(),
                "received": int((trend_rows.get(d) or {}).get("sum_received") or 0),
                "resolved": int((trend_rows.get(d) or {}).get("sum_resolved") or 0),
            }
            for d in days
        ],
        "top_categories": [
            {
                "key": category_names[c["category_id"]].code if c["category_id"] in category_names else "",
                "label": str(category_names[c["category_id"]])
                if c["category_id"] in category_names
                else _("No category"),
                "received": int(c["n"]),
            }
            for c in categories
        ],
        "top_respondents": [{"label": mask_text(r["respondent"]), "received": int(r["n"])} for r in respondents],
        "unit_ranking": [
            {
                "key": str(u["unit_id"]),
                "label": unit_names.get(u["unit_id"], ""),
                "received": int(u["sum_received"]),
                "resolved": int(u["sum_resolved"] or 0),
                "resolution_rate": _rate(int(u["sum_resolved"] or 0), int(u["sum_received"])),
                "on_time_rate": _rate(int(u["sum_on_time"] or 0), int(u["sum_concluded"] or 0)),
            }
            for u in units
        ],
        "children": [_child(c, points, child_received, child_open) for c in children],
        "pins": pins,
        "latest": latest,
        "service_points": [
            {"name": sp.name, "lat": sp.latitude, "lng": sp.longitude}
            for sp in service_points
            if sp.latitude is not None and sp.longitude is not None
        ],
        "mediators_on_duty": on_duty(path),
        "warnings": _warnings(region, scope_for(user)),
        "notes": _notes(region, children, total["received"]),
    }
    data["version"] = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
    data["generated_at"] = timezone.now().isoformat()
    return data


def _notes(region: Region, children: list[Region], received: int) -> list[str]:
    """What the viewer should know about the answer (not errors): an empty period, places without an outline."""
    notes = []
    if not received:
        notes.append(_("No case was received in this period."))
    if not region.boundary:
        notes.append(
            _("No outline is loaded for %(name)s: it is shown by its point where one is known.") % {"name": region.name}
        )
    missing = [c.name for c in children if not c.boundary]
    if missing:
        notes.append(
            _("No outline is loaded for %(count)d of the %(total)d areas below: they are shown as markers.")
            % {"count": len(missing), "total": len(children)}
        )
    return notes


def _child(region: Region, points: _Points, received: dict[str, int], open_now: dict[str, dict[str, int]]) -> dict:
    point = points.of(region)
    counts = open_now.get(region.path, {"open": 0, "red": 0, "yellow": 0})
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "boundary": _geometry(region),
        "point": list(point) if point else None,
        "received": received.get(region.path, 0),
        "open": counts["open"],
        "open_red": counts["red"],
        "open_yellow": counts["yellow"],
        "risk": rules.risk_colour(region.level, counts["red"], counts["yellow"]),
    }


def judicial_confirmations(path: str, date_from: date, date_to: date) -> int:
    """Mediation agreements a court confirmed (ruling dated in the period) for cases placed under `path`.

    Counted from the legal app's applications, not tallied: a confirmation is a fact of the court's ruling, not of
    the case's state, and there are few of them (a fraction of the mediations), so a filtered count stays small."""
    from fengqiao.legal.models import ConfirmationApplication

    return ConfirmationApplication.objects.filter(
        status=ConfirmationApplication.Status.CONFIRMED,
        ruling_date__gte=date_from,
        ruling_date__lte=date_to,
        case__region__path__startswith=path,
    ).count()


def on_duty(path: str, now: datetime | None = None) -> list[dict]:
    """Mediators whose receiving hours are running now at a service point under `path`, and leaders on a duty
    shift (下沉接访) there now."""
    from fengqiao.leadership.models import DutyShift
    from fengqiao.mediation.models import MediatorHours

    now = (now or timezone.now()).astimezone(LOCAL)
    people = []
    hours = (
        MediatorHours.objects.filter(
            weekday=now.weekday(), start__lte=now.time(), end__gt=now.time(), mediator__is_available=True
        )
        .filter(
            Q(service_point__region__path__startswith=path)
            | Q(service_point__isnull=True, mediator__service_point__region__path__startswith=path)
        )
        .select_related("mediator__user", "service_point", "mediator__service_point")[:200]
    )
    seen = set()
    for h in hours:
        sp = h.service_point or h.mediator.service_point
        if sp is None or sp.latitude is None or sp.longitude is None or h.mediator_id in seen:
            continue
        seen.add(h.mediator_id)
        people.append(
            {"name": _display_name(h.mediator.user), "service_point": sp.name, "lat": sp.latitude, "lng": sp.longitude}
        )
    shifts = (
        DutyShift.objects.filter(starts_at__lte=now, ends_at__gt=now, service_point__region__path__startswith=path)
        .exclude(status=DutyShift.Status.MISSED)
        .select_related("leader", "service_point")[:50]
    )
    for s in shifts:
        sp = s.service_point
        if sp.latitude is None or sp.longitude is None:
            continue
        people.append(
            {"name": _display_name(s.leader), "service_point": sp.name, "lat": sp.latitude, "lng": sp.longitude}
        )
    return people


def _display_name(user) -> str:
    return (user.get_full_name() or "").strip() or user.get_username()


def _warnings(region: Region, scope) -> list[dict]:
    try:
        from fengqiao.warnings.selectors import open_warnings_for_screen
    except (ImportError, AttributeError):
        return []
    return list(open_warnings_for_screen(region, scope))


GRADES = tuple(Grade.values)
