"""The one write path for the responsibility list, and the reads that turn rows into fengqiao.routing.rules values.

`rule_save` refuses, with a message an administrator can act on: an unknown category, a unit outside
the district the rule covers, a rule without category and keywords, a period that ends before it
starts, a rule that contradicts another (same category, area, keywords and priority at the same time,
another unit) and a rule that would send cases from one centre to another and back (a loop).
Every save is a new numbered revision.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.models import Category
from fengqiao.org.models import OrgUnit, Region, RegionLevel
from fengqiao.org.rules import CENTRE_FOR_LEVEL, CENTRE_KINDS
from fengqiao.org.selectors import centre_for_region
from fengqiao.routing import rules as R
from fengqiao.routing.models import CentreLevel, ResponsibilityRule, RuleRevision

DATA = Path(__file__).resolve().parent / "data"
MAX_KEYWORDS = 40


# --- reads ------------------------------------------------------------------------------------


def _district_of_unit(unit: OrgUnit) -> Region | None:
    return unit.region.district if unit.region_id else None


def rule_value(rule: ResponsibilityRule) -> R.Rule:
    """The row as the pure functions see it. A rule naming no region covers its unit's district."""
    region, unit = rule.region, rule.unit
    if region is None and unit is not None:
        region = _district_of_unit(unit)
    category = rule.category
    return R.Rule(
        id=rule.pk or 0,
        version=rule.version,
        category_id=category.pk if category else None,
        category_level=(2 if category.parent_id else 1) if category else 0,
        category_parent_id=category.parent_id if category else None,
        category_name=category.name if category else "",
        region_path=region.path if region else "",
        region_name=region.name if region else "",
        keywords=R.normalise_keywords(rule.keywords or []),
        unit_id=rule.unit_id,
        unit_name=unit.name if unit is not None else str(CentreLevel(rule.centre_level).label),
        centre_level=rule.centre_level,
        priority=rule.priority,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        is_active=rule.is_active,
    )


def active_rule_values() -> list[R.Rule]:
    qs = ResponsibilityRule.objects.filter(is_active=True).select_related(
        "category", "region", "unit", "unit__region", "unit__region__parent",
    ).defer("region__boundary", "unit__region__boundary", "unit__region__parent__boundary")  # large GeoJSON
    return [rule_value(r) for r in qs]


def centre_at_level(region: Region, level: str) -> OrgUnit | None:
    """The centre of `region`'s own community, street or district; the place's own centre when it is above that level."""
    codes = region.path.strip("/").split("/")
    depth = R.LEVEL_DEPTH[level]
    if len(codes) < depth:
        return centre_for_region(region)
    return OrgUnit.objects.filter(
        region__code=codes[depth - 1], kind=CENTRE_FOR_LEVEL[RegionLevel(level)], is_active=True
    ).first()


@dataclass(frozen=True)
class Routed:
    """A unit a rule sends the case to, with the rule and the sentence that explains it (a stored reason,
    fengqiao.core.reasons)."""

    unit: OrgUnit
    rule: R.Rule
    evidence: dict


def route(*, region: Region, category: Category | None, text: str, on: date | None = None,
          rules: list[R.Rule] | None = None) -> list[Routed]:
    """Every unit the responsibility list names for this case, best first (duplicates of a unit dropped)."""
    facts = R.Facts(
        region_path=region.path,
        on=on or timezone.localdate(),
        category_id=category.pk if category else None,
        category_parent_id=category.parent_id if category else None,
        text=text,
    )
    found = R.decide(rules if rules is not None else active_rule_values(), facts)
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[m.rule.unit_id for m in found if m.rule.unit_id])}
    out: list[Routed] = []
    for m in found:
        unit = units.get(m.rule.unit_id) if m.rule.unit_id else centre_at_level(region, m.rule.centre_level)
        if unit is None or not unit.is_active or any(r.unit.pk == unit.pk for r in out):
            continue
        out.append(Routed(unit=unit, rule=m.rule, evidence=R.explain(m)))
    return out


# --- writes -----------------------------------------------------------------------------------


def resolve_category(value) -> Category | None:
    """A Category from itself, its code, “parent/name” or a name (a first-level one when two share it);
    a clear error for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, Category):
        return value
    text = str(value).strip()
    found = Category.objects.filter(code=text).first()
    if found is not None:
        return found
    if "/" in text:
        parent, name = (p.strip() for p in text.split("/", 1))
        found = Category.objects.filter(parent__name=parent, name=name).first()
    else:
        matches = list(Category.objects.filter(name=text).order_by("parent_id", "code")[:3])
        first_level = [c for c in matches if c.parent_id is None]
        if len(matches) > 1 and len(first_level) == 1:
            matches = first_level  # a bare name means the first level when one has it (交通运输 → 交通运输)
        if len(matches) > 1:
            raise ValidationError({"category": _("The category name “%(name)s” is ambiguous: write it as "
                                                 "“first level/second level” or use its code.") % {"name": text}})
        found = matches[0] if matches else None
    if found is None:
        raise ValidationError({"category": _("Unknown category “%(name)s”: add it to the catalogue first, or correct "
                                             "the rule.") % {"name": text}})
    return found


def _centre(unit: OrgUnit | None) -> R.Centre | None:
    if unit is None or unit.kind not in CENTRE_KINDS:
        return None
    return R.Centre(unit_id=unit.pk, name=unit.name, region_path=unit.region.path)


def _loop_helpers():
    def centre_of(region_path: str) -> R.Centre | None:
        code = region_path.strip("/").split("/")[-1] if region_path else ""
        region = Region.objects.filter(code=code).first()
        return _centre(centre_for_region(region)) if region else None

    def centre_by_unit(unit_id: int) -> R.Centre | None:
        return _centre(OrgUnit.objects.select_related("region").filter(pk=unit_id).first())

    return centre_of, centre_by_unit


def rule_validate(rule: ResponsibilityRule) -> None:
    """Raise a ValidationError naming the field (or the whole rule) when `rule` may not be saved."""
    errors: dict[str, str] = {}
    if rule.unit_id and rule.centre_level:
        errors["centre_level"] = _("Choose a handling unit or a centre level, not both.")
    elif not rule.unit_id and not rule.centre_level:
        errors["unit"] = _("Choose the handling unit, or the level of the centre that keeps the case.")
    if rule.centre_level and rule.centre_level not in CentreLevel.values:
        errors["centre_level"] = _("Unknown centre level.")
    if not isinstance(rule.keywords, list) or not all(isinstance(k, str) for k in rule.keywords):
        errors["keywords"] = _("Keywords are a list of words.")
    else:
        rule.keywords = list(R.normalise_keywords(rule.keywords))
        if len(rule.keywords) > MAX_KEYWORDS or any(len(k) > 40 for k in rule.keywords):
            errors["keywords"] = _("At most %(n)d keywords of at most 40 characters each.") % {"n": MAX_KEYWORDS}
    if rule.category_id is None and not rule.keywords and "keywords" not in errors:
        errors["category"] = _("A rule needs a category or keywords: without either it would take every case.")
    if rule.valid_from and rule.valid_to and rule.valid_from > rule.valid_to:
        errors["valid_to"] = _("The rule ends before it starts.")
    region, unit = rule.region, rule.unit
    if region is not None and region.level == RegionLevel.CITY:
        errors["region"] = _("Choose a district or a smaller area.")
    if unit is not None:
        if not unit.is_active:
            errors["unit"] = _("%(unit)s is no longer active.") % {"unit": unit.name}
        elif region is not None and "region" not in errors:
            unit_district, region_district = _district_of_unit(unit), region.district
            if unit_district is None or region_district is None or unit_district.pk != region_district.pk:
                errors["unit"] = _("%(unit)s does not belong to %(district)s: a rule may only send cases to a unit "
                                   "of the district it covers.") % {
                    "unit": unit.name, "district": region_district.name if region_district else region.name}
    if errors:
        raise ValidationError(errors)

    value = rule_value(rule)
    others = [r for r in active_rule_values() if r.id != value.id]
    clash = R.contradicts(value, others)
    if clash is not None:
        raise ValidationError(_(
            "This rule contradicts rule #%(id)d: same category, area, keywords and priority at the same time, but "
            "that rule sends the cases to %(other)s. Change the priority, the keywords or the dates, or deactivate "
            "one of them.") % {"id": clash.id, "other": clash.target_name})
    centre_of, centre_by_unit = _loop_helpers()
    loop = R.find_loop(value, others, centre_of=centre_of, centre_by_unit=centre_by_unit,
                       on=max(timezone.localdate(), rule.valid_from or date.min))
    if loop:
        raise ValidationError(_(
            "This rule makes a loop: cases would go %(path)s and never reach a unit that handles them. "
            "Send them to a department, or change the rule of the other centre.") % {"path": " → ".join(loop)})


def _snapshot(rule: ResponsibilityRule) -> dict:
    return {
        "category": rule.category.code if rule.category else None,
        "region": rule.region.code if rule.region else None,
        "keywords": list(rule.keywords or []),
        "unit": rule.unit.name if rule.unit else None,
        "centre_level": rule.centre_level,
        "priority": rule.priority,
        "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "is_active": rule.is_active,
        "note": rule.note,
    }


@transaction.atomic
def rule_save(
    *,
    instance: ResponsibilityRule | None = None,
    category=None,
    region: Region | None = None,
    keywords: list[str] | tuple[str, ...] = (),
    unit: OrgUnit | None = None,
    centre_level: str = "",
    priority: int = 100,
    valid_from: date | None = None,
    valid_to: date | None = None,
    is_active: bool = True,
    note: str = "",
    by=None,
) -> ResponsibilityRule:
    """Create a rule, or change `instance` (its version goes up by one); the revision is kept."""
    rule = instance or ResponsibilityRule()
    if rule.pk:
        rule = ResponsibilityRule.objects.select_for_update().get(pk=rule.pk)
    rule.category = resolve_category(category)
    rule.region, rule.unit, rule.centre_level = region, unit, centre_level or ""
    rule.keywords = list(keywords or [])
    rule.priority, rule.valid_from, rule.valid_to = priority, valid_from, valid_to
    rule.is_active, rule.note = is_active, (note or "").strip()[:200]
    rule_validate(rule)
    if rule.pk:
        rule.version += 1
    elif by is not None and getattr(by, "is_authenticated", False):
        rule.created_by = by
    rule.save()
    RuleRevision.objects.create(rule=rule, version=rule.version, data=_snapshot(rule),
                                changed_by=by if by is not None and getattr(by, "is_authenticated", False) else None)
    return rule


# --- shipped defaults -------------------------------------------------------------------------


def load_default_rules(district_code: str, *, by=None) -> int:
    """The shipped responsibility list of a district (routing/data/rules_<code>.csv); returns how many rules were added.

    Idempotent: a rule already on the list (same category, area, keywords, target and priority) is left alone.
    Categories come from the catalogue and units from the organisation, so both must be loaded first; an
    unknown category or unit stops the load with a message naming the line.
    """
    path = DATA / f"rules_{district_code}.csv"
    if not path.exists():
        return 0
    district = Region.objects.get(code=district_code)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    added = 0
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            try:
                category = resolve_category(row["category"] or None)
                region = Region.objects.filter(code=row["region"]).first() if row["region"] else None
                if row["region"] and region is None:
                    raise ValidationError({"region": _("Unknown area code “%(code)s”.") % {"code": row["region"]}})
                unit = None
                if row["unit"]:
                    unit = OrgUnit.objects.filter(name=row["unit"], path__startswith=_district_root(district)).first()
                    if unit is None:
                        raise ValidationError({"unit": _("Unknown unit “%(name)s”.") % {"name": row["unit"]}})
            except ValidationError as exc:
                raise ValidationError(_("%(file)s line %(line)d: %(error)s") % {
                    "file": path.name, "line": line, "error": "; ".join(_messages(exc))}) from exc
            keywords = [k for k in row["keywords"].split("|") if k.strip()]
            priority = int(row["priority"] or 100)
            existing = ResponsibilityRule.objects.filter(
                category=category, region=region, unit=unit, centre_level=row["centre_level"], priority=priority)
            if any(list(R.normalise_keywords(r.keywords)) == list(R.normalise_keywords(keywords)) for r in existing):
                continue
            rule_save(category=category, region=region, keywords=keywords, unit=unit,
                      centre_level=row["centre_level"], priority=priority, note=row["note"], by=by)
            added += 1
    return added


def _district_root(district: Region) -> str:
    centre = centre_for_region(district)
    return centre.path if centre else "/-/"


def _messages(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]
