"""What the triage panel on the case page shows: a fixed number of queries whatever the case."""

from __future__ import annotations

from django.db.models import Q

from fengqiao.cases.models import Case, Category, Grade, ServiceType
from fengqiao.cases.workflow import Status
from fengqiao.org.access import Capability, may
from fengqiao.org.models import OrgUnit
from fengqiao.org.rules import CENTRE_KINDS
from fengqiao.triage.duplicates import linked_cases, related_cases
from fengqiao.triage.models import Part, SuggestionSource, TriageSuggestion

MERGEABLE = (Status.SUBMITTED, Status.ACCEPTED)


def category_groups() -> list[tuple[Category, list[Category]]]:
    """The catalogue as (first level, its sub-categories), for a grouped <select>."""
    rows = list(Category.objects.order_by("code"))
    children: dict[int, list[Category]] = {}
    for c in rows:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(c, children.get(c.pk, [])) for c in rows if not c.parent_id]


def unit_choices(case: Case) -> list[OrgUnit]:
    """Where the case may go from here: the district's handling units, and the centres on its way up."""
    root = "/" + case.holder_unit.path.strip("/").split("/")[0] + "/"
    ancestor_ids = [int(x) for x in case.holder_unit.path.strip("/").split("/") if x]
    units = OrgUnit.objects.filter(path__startswith=root, is_active=True).filter(
        ~Q(kind__in=CENTRE_KINDS) | Q(pk__in=ancestor_ids)).order_by("kind", "name")
    return sorted(units, key=lambda u: (u.kind not in CENTRE_KINDS, u.path.count("/"), u.name))


def merge_direction(case: Case, other: Case) -> str:
    """"into_other" when this case can join the other, "into_this" when the other can join this one, else ""."""
    if case.status in MERGEABLE and other.is_open and other.merged_into_id is None and (
            other.submitted_at <= case.submitted_at or other.status not in MERGEABLE):
        return "into_other"
    if other.status in MERGEABLE and case.is_open:
        return "into_this"
    if case.status in MERGEABLE and other.is_open:
        return "into_other"
    return ""


def panel(case: Case, user, *, errors: dict | None = None) -> dict:
    suggestions = {s.part: s for s in TriageSuggestion.objects.filter(case=case).select_related("decided_by")}
    may_review = may(user, Capability.CASE_REVIEW, case)
    may_dispatch = may(user, Capability.CASE_DISPATCH, case)
    related = related_cases(case, user)
    for item in related:
        item.direction = merge_direction(case, item.case) if may_review else ""
    linked = linked_cases(case)
    unit = suggestions.get(Part.UNIT)
    alternatives = unit.alternatives if unit else []
    return {
        "case": case,
        "parts": [
            (Part.GRADE, Part.GRADE.label, suggestions.get(Part.GRADE)),
            (Part.SERVICE_TYPE, Part.SERVICE_TYPE.label, suggestions.get(Part.SERVICE_TYPE)),
            (Part.CATEGORY, Part.CATEGORY.label, suggestions.get(Part.CATEGORY)),
            (Part.UNIT, Part.UNIT.label, unit),
        ],
        "has_suggestions": bool(suggestions),
        "may_review": may_review and case.is_open,
        "may_dispatch": may_dispatch and case.is_open,
        "related": related,
        "linked": linked,
        "linked_codes": {item["code"] for item in linked},
        "me_too": case.merged.count(),
        "grades": Grade.choices,
        "service_types": ServiceType.choices,
        "category_groups": category_groups() if may_review and case.is_open else [],
        "units": unit_choices(case) if may_dispatch and case.is_open else [],
        "unit_alternatives": [a.get("value") for a in alternatives],
        "sources": dict(SuggestionSource.choices),
        "errors": errors or {},
    }
