"""The backlog board's counts, over the cases the viewer may see (one gate: Case.objects.visible_to)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fengqiao.backlog import rules
from fengqiao.cases.models import Case, Party


def stock(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases not closed (the stock, 存量)."""
    return cases.filter(closed_at__isnull=True)


def band_filters(now: datetime) -> dict[str, Q]:
    filters = {}
    for band in rules.AGE_BANDS:
        oldest, newest = rules.band_bounds(band, now)
        q = Q(submitted_at__lte=newest)
        if oldest is not None:
            q &= Q(submitted_at__gt=oldest)
        filters[band.key] = q
    return filters


def by_unit_and_age(cases: QuerySet[Case], now: datetime) -> list[dict]:
    """One row per holding unit: its open cases per age band and in all, most first (one query)."""
    aggregates = {key: Count("pk", filter=q) for key, q in band_filters(now).items()}
    rows = list(stock(cases).values("holder_unit__name").annotate(total=Count("pk"), **aggregates)
                .order_by("-total", "holder_unit__name"))
    for row in rows:
        row["bands"] = [row[band.key] for band in rules.AGE_BANDS]  # in the order of the table's columns
    return rows


def flow_today(cases: QuerySet[Case], now: datetime) -> dict[str, int]:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return cases.aggregate(inflow=Count("pk", filter=Q(submitted_at__gte=start, submitted_at__lte=now)),
                           outflow=Count("pk", filter=Q(closed_at__gte=start, closed_at__lte=now)))


def burndown(cases: QuerySet[Case], now: datetime, days: int = rules.BURNDOWN_DAYS) -> list[tuple[str, int]]:
    """For each of the last `days` days, the stock at the end of that day (today: now), in one query."""
    tz = timezone.get_current_timezone()
    ends = rules.day_ends(timezone.localtime(now).date(), days, tz)
    ends[-1] = (ends[-1][0], now)
    aggregates = {f"d{i}": Count("pk", filter=Q(submitted_at__lte=end) & (Q(closed_at__isnull=True)
                                                                          | Q(closed_at__gt=end)))
                  for i, (_day, end) in enumerate(ends)}
    counts = cases.aggregate(**aggregates)
    return [(day.isoformat(), counts[f"d{i}"]) for i, (day, _end) in enumerate(ends)]


def suggestions(cases: QuerySet[Case], now: datetime, limit: int = 4) -> list[dict]:
    """Groups of similar old open cases worth a campaign: by category, by respondent organisation, by community."""
    old = stock(cases).filter(submitted_at__lte=now - timedelta(days=rules.SUGGEST_MIN_AGE_DAYS))
    found: list[dict] = []
    for row in (old.exclude(category=None).values("category", "category__name").annotate(n=Count("pk"))
                .filter(n__gte=rules.SUGGEST_MIN_CASES).order_by("-n")[:limit]):
        found.append({"by": "category", "key": str(row["category"]), "label": row["category__name"], "count": row["n"]})
    respondents = (Party.objects.filter(case__in=old.values("pk"), role=Party.PartyRole.RESPONDENT,
                                        kind=Party.Kind.ORGANISATION).exclude(name="")
                   .values("name").annotate(n=Count("case", distinct=True))
                   .filter(n__gte=rules.SUGGEST_MIN_CASES).order_by("-n")[:limit])
    for row in respondents:
        found.append({"by": "respondent", "key": row["name"], "label": row["name"], "count": row["n"]})
    for row in (old.values("region", "region__name").annotate(n=Count("pk"))
                .filter(n__gte=rules.SUGGEST_MIN_CASES).order_by("-n")[:limit]):
        found.append({"by": "community", "key": str(row["region"]), "label": row["region__name"], "count": row["n"]})
    return found


def grouped(cases: QuerySet[Case], now: datetime, by: str, key: str) -> QuerySet[Case]:
    """The old open cases of one suggested group."""
    old = stock(cases).filter(submitted_at__lte=now - timedelta(days=rules.SUGGEST_MIN_AGE_DAYS))
    if by == "category":
        return old.filter(category_id=int(key)) if key.isdigit() else old.none()
    if by == "respondent":
        return old.filter(parties__role=Party.PartyRole.RESPONDENT, parties__kind=Party.Kind.ORGANISATION,
                          parties__name=key).distinct()
    if by == "community":
        return old.filter(region_id=int(key)) if key.isdigit() else old.none()
    return old.none()
