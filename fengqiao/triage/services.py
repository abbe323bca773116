"""Triage of a case: compute and store the suggestions, apply the rules' grade, accept or correct them.

- `triage_case(case)`: called by case_submit. Grades by the rules (and raises the case's grade through
  case_regrade when the rules say more, so the timeline shows it), suggests service type and category
  (the classifier), and the handling unit (the responsibility list first, then the router model, then
  the district centre). Each part is computed on its own: one failing part never stops the others.
- `triage_regrade(case)`: the facts changed (a duplicate merged in, the resident added information): grade
  again; only upward.
- `triage_accept` / `triage_correct`: a person's decision, applied through the case services; a
  correction is kept as training data (TriageCorrection) and its note goes on the timeline.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Category, Grade, Party, ServiceType
from fengqiao.cases.workflow import Status
from fengqiao.core.reasons import Reason, reason, render_all
from fengqiao.org.access import Capability, may
from fengqiao.org.models import OrgUnit, Region, RegionLevel
from fengqiao.org.selectors import centre_for_region
from fengqiao.routing.services import route
from fengqiao.triage import grading, mlclient, service_rules
from fengqiao.triage.models import (
    GradingRule,
    Part,
    SuggestionSource,
    SuggestionStatus,
    TriageCorrection,
    TriageSuggestion,
)
from fengqiao.triage.units import district_units, map_router_label

log = logging.getLogger("fengqiao.triage")

REPEAT_LOOKBACK = timedelta(days=90)
GRADE_LABELS = dict(Grade.choices)


# --- grading ------------------------------------------------------------------------------------


def signals() -> list[grading.Signal]:
    return [
        grading.Signal(code=r.code, kind=r.kind, grade=r.grade, reason=r.reason,
                       keywords=tuple(str(k) for k in (r.keywords or [])),
                       threshold=Decimal(r.threshold) if r.threshold is not None else None,
                       window_days=r.window_days, priority=r.priority, name=r.name)
        for r in GradingRule.objects.filter(is_active=True)
    ]


def facts_for(*, title: str, description: str, people_count: int, amount, phones, at, new: bool = False
              ) -> grading.Facts:
    """The facts grading looks at. `phones`: the parties' phones, whose earlier cases count for "repeat
    complainant"; `new`: the case is not saved yet, so it counts itself on top of those found."""
    on = timezone.localtime(at).date()
    phones = {p for p in phones if p}
    dates: list = []
    if phones:
        stamps = Case.objects.filter(
            pk__in=Party.objects.filter(phone__in=phones).values("case_id"),
            submitted_at__gte=at - REPEAT_LOOKBACK, submitted_at__lte=at,
        ).values_list("submitted_at", flat=True)
        dates = [timezone.localtime(t).date() for t in stamps]
        if new:
            dates.append(on)
    return grading.Facts(text=f"{title}\n{description}", on=on, people_count=people_count,
                         amount=Decimal(amount) if amount is not None else None, phone_case_dates=tuple(dates))


def added_information(case: Case) -> list[str]:
    """What was added to the demand after it came in (cases.services.case_add_information), oldest first."""
    return list(CaseEvent.objects.filter(case=case).added_information().order_by("seq").values_list("reason", flat=True))


def grading_facts(case: Case) -> grading.Facts:
    """The case's facts now: its text with what was added since, its figures and the parties' phones."""
    description = "\n".join([case.description, *added_information(case)])
    return facts_for(title=case.title, description=description, people_count=case.people_count,
                     amount=case.amount, phones=case.parties.values_list("phone", flat=True), at=case.submitted_at)


def district_of(region):
    """The district a region lies in, without loading its boundary (by the code in the region's path)."""
    from fengqiao.org.models import Region

    codes = region.path.strip("/").split("/")
    if len(codes) < 2:
        return None
    return Region.objects.defer("boundary").filter(code=codes[1]).first()


def notify_new_red(case: Case) -> None:
    """A new class 1 case: the centre holding it and the district's leaders hear of it at once."""
    from fengqiao.notifications.services import notify, unit_members
    from fengqiao.org.models import Role

    recipients = unit_members([case.holder_unit], [Role.OPERATOR, Role.STATION_STAFF])
    district = district_of(case.region)
    centre = centre_for_region(district) if district else None
    if centre is not None:
        recipients += unit_members([centre], [Role.LEADER])
    notify(recipients, kind="case_new_red", title=_("New class 1 (red) case %(code)s") % {"code": case.code},
           body="；".join(render_all(case.grade_reasons)), case=case, key=f"case:{case.pk}:new-red")


def grade_case(case: Case) -> grading.Result:
    return grading.grade(grading_facts(case), signals())


def _store(case: Case, part: str, **fields) -> TriageSuggestion:
    """Create or refresh the suggestion for one part; a person's decision on it is kept as it was."""
    suggestion, _created = TriageSuggestion.objects.update_or_create(case=case, part=part, defaults=fields)
    return suggestion


def _suggest_grade(case: Case, *, upward_only: bool = True) -> TriageSuggestion:
    result = grade_case(case)
    codes = [r.code for r in result.reasons]
    suggestion = _store(
        case, Part.GRADE, value=result.grade, label=str(GRADE_LABELS[result.grade]),
        evidence=result.messages or [reason(gettext_noop("No grading rule applies: class 3 (green)."))], alternatives=[],
        source=SuggestionSource.RULES, rule=", ".join(codes)[:120], confidence=None, model_version="",
        needs_operator=False,
    )
    higher = grading.ORDER[result.grade] > grading.ORDER.get(case.grade, 0)
    unexplained = result.grade == case.grade and result.reasons and not case.grade_reasons
    if higher or unexplained:
        cs.case_regrade(case=case, actor=None, grade=result.grade, reasons=result.messages,
                        reason=_("Graded by the rules: %(reasons)s") % {"reasons": "；".join(result.texts)})
    return suggestion


# --- service type and category ------------------------------------------------------------------


def _suggest_service_type(case: Case) -> TriageSuggestion:
    """The service type by the rule table (fengqiao.triage.service_rules): a rule that applies is a definite
    suggestion with its reason and no confidence; when none applies the operator decides."""
    category = case.category if case.category_id is not None else None
    found = service_rules.matches(service_rules.Facts(
        title=case.title, description=case.description,
        people_count=case.people_count, category=category.name if category else "",
        category_service_type=category.default_service_type if category else ""))
    found = [m for m in found if m.service_type in ServiceType.values]
    labels = dict(ServiceType.choices)
    if found:
        top = found[0]
        alternatives = [{"value": m.service_type, "label": str(labels[m.service_type]), "confidence": None,
                         "evidence": [m.reason]} for m in found[1:3]]
        return _store(case, Part.SERVICE_TYPE, value=top.service_type, label=str(labels[top.service_type]),
                      confidence=None, evidence=[top.reason], alternatives=alternatives,
                      source=SuggestionSource.RULES, rule=top.code, model_version="", needs_operator=False)
    return _store(case, Part.SERVICE_TYPE, value="", label="", confidence=None,
                  evidence=[reason(gettext_noop("No rule of the service-type table applies: a person decides from the "
                                                "text."))],
                  alternatives=[], source=SuggestionSource.FALLBACK, rule="", model_version="", needs_operator=True)


def _suggest_category(case: Case) -> tuple[TriageSuggestion, Category | None]:
    answer = mlclient.classify_category(case.title, case.description)
    first_level = {c.name: c for c in Category.objects.filter(parent__isnull=True)}
    known = [(first_level[c.label], c) for c in answer.candidates if c.label in first_level]
    if known:
        category, top = known[0]
        alternatives = [{"value": str(cat.pk), "label": cat.name, "confidence": round(c.confidence, 3),
                         "evidence": c.evidence[:3]} for cat, c in known[1:3]]
        suggestion = _store(
            case, Part.CATEGORY, value=str(category.pk), label=category.name, confidence=top.confidence,
            evidence=top.evidence[:5], alternatives=alternatives, source=SuggestionSource.MODEL, rule="",
            model_version=answer.version, needs_operator=answer.needs_operator,
        )
        # an unsure guess is not pre-filled, so it does not steer the routing either
        return suggestion, (None if answer.needs_operator else category)
    if case.category_id is not None:
        suggestion = _store(case, Part.CATEGORY, value=str(case.category_id), label=str(case.category),
                            confidence=None, evidence=[reason(gettext_noop("As chosen at intake; the classifier gave no answer."))],
                            alternatives=[], source=SuggestionSource.FALLBACK, rule="", model_version="",
                            needs_operator=True)
        return suggestion, case.category
    suggestion = _store(case, Part.CATEGORY, value="", label="", confidence=None,
                        evidence=[reason(gettext_noop("The classifier gave no answer: choose the category."))], alternatives=[],
                        source=SuggestionSource.FALLBACK, rule="", model_version="", needs_operator=True)
    return suggestion, None


# --- handling unit ------------------------------------------------------------------------------


def street_name(case: Case) -> str:
    """The street of the case's place: what the router knows as `location` (e.g. 光明街道)."""
    node: Region | None = case.region
    while node is not None and node.level not in (RegionLevel.STREET, RegionLevel.DISTRICT):
        node = node.parent
    return node.name if node is not None and node.level == RegionLevel.STREET else ""


def _unit_alt(unit: OrgUnit, evidence: list[Reason], confidence: float | None = None) -> dict:
    return {"value": str(unit.pk), "label": unit.name, "confidence": confidence, "evidence": evidence[:3]}


def _suggest_unit(case: Case, category: Category | None) -> TriageSuggestion:
    district = district_of(case.region)
    text = f"{case.title}\n{case.description}"
    routing_category = case.category or category
    routed = route(region=case.region, category=routing_category, text=text,
                   on=timezone.localtime(case.submitted_at).date())
    answer = mlclient.route_unit(street_name(case), text)
    units = district_units(district) if district else []
    mapped: list[tuple[OrgUnit, mlclient.Candidate]] = []
    for c in answer.candidates:
        unit = map_router_label(c.label, district, units) if district else None
        if unit is not None and all(unit.pk != u.pk for u, _c in mapped):
            mapped.append((unit, c))
    centre = centre_for_region(district) if district else None
    used_suggested = case.category_id is None and category is not None
    if routed:
        top = routed[0]
        evidence: list[str | dict] = [top.evidence]
        if used_suggested and category is not None:
            evidence.append(reason(gettext_noop("Category taken from the suggestion above (“%(name)s”)."),
                                   name=category.name))
        alternatives = [_unit_alt(r.unit, [r.evidence]) for r in routed[1:3]]
        for unit, c in mapped:
            if len(alternatives) >= 2:
                break
            if unit.pk != top.unit.pk and all(a["value"] != str(unit.pk) for a in alternatives):
                alternatives.append(_unit_alt(unit, c.evidence or [reason(gettext_noop("Router model"))], round(c.confidence, 3)))
        return _store(case, Part.UNIT, value=str(top.unit.pk), label=top.unit.name, confidence=None,
                      evidence=evidence, alternatives=alternatives, source=SuggestionSource.RULES,
                      rule=f"#{top.rule.id} v{top.rule.version}",  # worded when shown: rule_shown
                      model_version=answer.version, needs_operator=False)
    if mapped and not answer.needs_operator:
        unit, c = mapped[0]
        evidence = list(c.evidence[:5]) or [reason(gettext_noop("Learned from past dispatches."))]
        if mlclient_catch_all(c.label):
            evidence.insert(0, reason(gettext_noop("Past cases like this one were handled by the district operations "
                                                   "centre.")))
        evidence.insert(0, reason(gettext_noop("No rule of the responsibility list applies; the router model, trained on "
                                               "past dispatches, proposes this unit (confidence %(pct)d%%)."),
                                  pct=round(c.confidence * 100)))
        return _store(case, Part.UNIT, value=str(unit.pk), label=unit.name, confidence=c.confidence,
                      evidence=evidence, alternatives=[_unit_alt(u, x.evidence, round(x.confidence, 3))
                                                       for u, x in mapped[1:3]],
                      source=SuggestionSource.MODEL, rule="", model_version=answer.version, needs_operator=False)
    if centre is None:
        return _store(case, Part.UNIT, value="", label="", confidence=None,
                      evidence=[reason(gettext_noop("No centre serves this place."))], alternatives=[], source=SuggestionSource.FALLBACK,
                      rule="", model_version=answer.version, needs_operator=True)
    if mapped:
        why = reason(gettext_noop("No rule of the responsibility list applies and the router model is not sure (best "
                                  "guess %(unit)s, %(pct)d%%): the district centre dispatches by hand."),
                     unit=mapped[0][0].name, pct=round(mapped[0][1].confidence * 100))
    else:
        why = reason(gettext_noop("No rule of the responsibility list applies and the router model gave no answer: "
                                  "the district centre dispatches by hand."))
    return _store(case, Part.UNIT, value=str(centre.pk), label=centre.name, confidence=None, evidence=[why],
                  alternatives=[_unit_alt(u, x.evidence, round(x.confidence, 3)) for u, x in mapped[:2]
                                if u.pk != centre.pk],
                  source=SuggestionSource.FALLBACK, rule="", model_version=answer.version, needs_operator=True)


def mlclient_catch_all(label: str) -> bool:
    from fengqiao.triage.units import is_catch_all

    return is_catch_all(label)


# --- the entry points -----------------------------------------------------------------------------


def _guarded(name: str, case: Case, fn, *args):
    """Run one part in a savepoint; a failure is logged and leaves the case as it was."""
    try:
        with transaction.atomic():
            return fn(*args)
    except Exception:  # triage is advice: it never stops the case
        log.exception("triage part %s failed for %s", name, case.code)
        case.refresh_from_db()
        return None


def triage_case(case: Case) -> dict[str, TriageSuggestion]:
    """Compute and store every suggestion for `case`, and apply the rules' grade. Never raises."""
    out: dict[str, TriageSuggestion] = {}
    grade = _guarded("grade", case, _suggest_grade, case)
    if grade is not None:
        out[Part.GRADE] = grade
    service = _guarded("service_type", case, _suggest_service_type, case)
    if service is not None:
        out[Part.SERVICE_TYPE] = service
    found = _guarded("category", case, _suggest_category, case)
    category = None
    if found is not None:
        out[Part.CATEGORY], category = found
    unit = _guarded("unit", case, _suggest_unit, case, category)
    if unit is not None:
        out[Part.UNIT] = unit
    return out


def triage_regrade(case: Case) -> TriageSuggestion | None:
    """The facts changed: grade again by the rules; the case's grade only goes up automatically."""
    return _guarded("regrade", case, _suggest_grade, case)


def triage_run(*, case: Case, actor) -> dict[str, TriageSuggestion]:
    """Suggest now, for a case taken in before triage existed (or whose suggestions were lost)."""
    if not may(actor, Capability.CASE_REVIEW, case):
        raise PermissionDenied(_("You may not do this on this case."))
    if not case.is_open:
        raise ValidationError({"part": _("The case is closed.")})
    return triage_case(case)


# --- a person decides -------------------------------------------------------------------------------


def _suggestion(case: Case, part: str) -> TriageSuggestion:
    if part not in Part.values:
        raise ValidationError({"part": _("Unknown part of the triage.")})
    suggestion = TriageSuggestion.objects.select_for_update().filter(case=case, part=part).first()
    if suggestion is None:
        raise ValidationError({"part": _("There is no suggestion for this yet.")})
    return suggestion


def _check(actor, case: Case, part: str) -> None:
    needed = Capability.CASE_DISPATCH if part == Part.UNIT else Capability.CASE_REVIEW
    if not may(actor, needed, case):
        raise PermissionDenied(_("You may not do this on this case."))


def _decide(suggestion: TriageSuggestion, *, actor, status: str, value: str, label: str, note: str = "") -> None:
    suggestion.status, suggestion.final_value, suggestion.final_label = status, value, label[:120]
    suggestion.decided_by, suggestion.decided_at, suggestion.note = actor, timezone.now(), note
    suggestion.save(update_fields=["status", "final_value", "final_label", "decided_by", "decided_at", "note",
                                   "updated_at"])


def _district_root(case: Case) -> str:
    return "/" + case.holder_unit.path.strip("/").split("/")[0] + "/"


def _unit_choice(case: Case, value) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=value, is_active=True, path__startswith=_district_root(case)).first() if str(
        value).isdigit() else None
    if unit is None:
        raise ValidationError({"value": _("Choose a unit of this district.")})
    return unit


def apply_unit(case: Case, *, actor, unit: OrgUnit, note: str = "") -> Case:
    """Send the case to `unit` the way the lifecycle allows now.

    A department: accept the case if it is new, then dispatch (or re-dispatch) it. The centre that holds
    it: accept it and keep it (小事不出社区). A centre above: accept, then escalate level by level.
    """
    holder = case.holder_unit
    if unit.is_centre:
        if unit.pk != holder.pk and not holder.path.startswith(unit.path):
            raise ValidationError({"value": _("A case can only stay here or go up to a centre above this one.")})
        if case.status == Status.SUBMITTED:
            cs.case_accept(case=case, actor=actor)
        steps = 0
        while case.holder_unit_id != unit.pk and steps < 3:
            cs.case_escalate(case=case, actor=actor, reason=note or _("Handed up as the triage suggests."))
            steps += 1
        return case
    if unit.pk == holder.pk:
        return case
    if case.status == Status.SUBMITTED:
        cs.case_accept(case=case, actor=actor)
    if case.status == Status.ACCEPTED:
        return cs.case_dispatch(case=case, actor=actor, unit=unit, note=note)
    if case.status in (Status.DISPATCHED, Status.RETURNED, Status.SIGNED, Status.IN_PROGRESS):
        return cs.case_dispatch(case=case, actor=actor, unit=unit,
                                note=note or _("Re-dispatched as the triage suggests."))
    raise ValidationError({"value": _("The case can no longer be dispatched in its present state.")})


def _reroute(case: Case) -> None:
    """The category changed: while nobody has decided on the unit yet, suggest it again for the new category."""
    if TriageSuggestion.objects.filter(case=case, part=Part.UNIT, status=SuggestionStatus.PENDING).exists():
        _suggest_unit(case, case.category)


def _training_row(case: Case, *, task: str, label: str, actor) -> TriageCorrection:
    return TriageCorrection.objects.create(task=task, title=case.title, body=case.description,
                                           location=street_name(case), label=label, case=case, corrected_by=actor)


def _after_correction() -> None:
    """New training data: retrain in the background once the correction is committed."""
    from fengqiao.triage.tasks import retrain_models

    transaction.on_commit(lambda: retrain_models.enqueue())


@transaction.atomic
def triage_accept(*, case: Case, actor, part: str) -> TriageSuggestion:
    """One click: take the suggestion for `part` as it is."""
    _check(actor, case, part)
    suggestion = _suggestion(case, part)
    if suggestion.is_decided:
        raise ValidationError({"part": _("This suggestion was already decided.")})
    if not suggestion.value:
        raise ValidationError({"part": _("There is nothing to accept: choose a value.")})
    if suggestion.is_guess:
        raise ValidationError({"part": _("The model is not sure enough to fill this in: decide below (its guess is "
                                         "selected).")})
    if part == Part.SERVICE_TYPE:
        cs.case_recategorise(case=case, actor=actor, service_type=suggestion.value,
                             reason=_("Suggested service type accepted."))
    elif part == Part.CATEGORY:
        category = Category.objects.get(pk=suggestion.value)
        if case.category is None or (case.category.pk != category.pk and case.category.parent_id != category.pk):
            cs.case_recategorise(case=case, actor=actor, category=category, reason=_("Suggested category accepted."))
            _reroute(case)
    elif part == Part.GRADE:
        if case.grade != suggestion.value:
            cs.case_regrade(case=case, actor=actor, grade=suggestion.value, reasons=list(suggestion.evidence),
                            reason=_("Grade of the rules accepted: %(reasons)s") % {
                                "reasons": "；".join(render_all(suggestion.evidence))})
    elif part == Part.UNIT:
        unit = _unit_choice(case, suggestion.value)
        apply_unit(case, actor=actor, unit=unit, note=_("As suggested: %(why)s") % {
            "why": "；".join(render_all(suggestion.evidence))})
        suggestion.refresh_from_db()
        if suggestion.is_decided:  # case_dispatch already recorded it (fengqiao.triage.hooks)
            return suggestion
    _decide(suggestion, actor=actor, status=SuggestionStatus.ACCEPTED, value=suggestion.value, label=suggestion.label)
    return suggestion


@transaction.atomic
def triage_correct(*, case: Case, actor, part: str, value: str, note: str = "") -> TriageSuggestion:
    """A person sets another value than the suggestion; kept as training data, the note on the timeline."""
    _check(actor, case, part)
    suggestion = _suggestion(case, part)
    note = (note or "").strip()
    value = str(value or "").strip()
    if part in (Part.GRADE, Part.UNIT) and not note:
        raise ValidationError({"note": _("Say why you decide otherwise than the platform: the note is kept on the "
                                         "timeline.")})
    if part == Part.SERVICE_TYPE:
        if value not in ServiceType.values:
            raise ValidationError({"value": _("Choose a service type.")})
        cs.case_recategorise(case=case, actor=actor, service_type=value, reason=note)
        label = str(ServiceType(value).label)
        # kept for a service-type model to come; no model learns from it yet, so no retrain is started
        _training_row(case, task=TriageCorrection.Task.SERVICE_TYPE, label=value, actor=actor)
    elif part == Part.CATEGORY:
        category = Category.objects.select_related("parent").filter(pk=value).first() if value.isdigit() else None
        if category is None:
            raise ValidationError({"value": _("Choose a category.")})
        cs.case_recategorise(case=case, actor=actor, category=category, reason=note)
        _reroute(case)
        label = str(category)
        _training_row(case, task=TriageCorrection.Task.CATEGORY,
                      label=category.parent.name if category.parent else category.name, actor=actor)
        _after_correction()
    elif part == Part.GRADE:
        if value not in Grade.values:
            raise ValidationError({"value": _("Choose a grade.")})
        reasons = [reason(gettext_noop("Set by a person: %(note)s"), note=note), *suggestion.evidence]
        if value != case.grade:
            cs.case_regrade(case=case, actor=actor, grade=value, reason=note, reasons=reasons)
        else:
            cs.case_note(case=case, actor=actor, text=_("Grade confirmed by a person: %(note)s") % {"note": note})
        label = str(GRADE_LABELS[value])
    else:
        unit = _unit_choice(case, value)
        apply_unit(case, actor=actor, unit=unit, note=note)
        label = unit.name
        suggestion.refresh_from_db()
        if suggestion.is_decided:  # case_dispatch already recorded the correction (fengqiao.triage.hooks)
            return suggestion
        if unit.pk != int(suggestion.value or 0):
            _training_row(case, task=TriageCorrection.Task.DISPATCH, label=unit.name, actor=actor)
            _after_correction()
        cs.case_note(case=case, actor=actor, text=_("Handling unit decided by a person: %(unit)s. %(note)s") % {
            "unit": unit.name, "note": note})
    status = SuggestionStatus.ACCEPTED if value == suggestion.value else SuggestionStatus.CORRECTED
    _decide(suggestion, actor=actor, status=status, value=value, label=label, note=note)
    return suggestion
