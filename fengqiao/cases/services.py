"""The only write path for cases.

Every service validates, locks the case row, asks the workflow for the next
state, writes the case and its timeline event in one transaction, and checks
the caller's right through fengqiao.org.access. The public form, the
workbench, the API, imports and the demo seeder all call these.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.chain import GENESIS
from fengqiao.audit.keys import signing_key
from fengqiao.audit.timeline import content_of, sealed
from fengqiao.cases.models import (
    Assignment,
    Attachment,
    Case,
    CaseCounter,
    CaseEvent,
    Category,
    Channel,
    Grade,
    Outcome,
    Party,
    Satisfaction,
    ServiceType,
)
from fengqiao.cases.permissions import OPERATION_CAPABILITY, may_act
from fengqiao.cases.titles import TITLE_MAX, shorten, title_from_description
from fengqiao.cases.workflow import STEP_ACTIONS, SYSTEM_ACTIONS, Action, Status, reason_missing, transition
from fengqiao.dashboard import tallies
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.access import may, scope_for
from fengqiao.org.models import OrgUnit, Region, Role, ServicePoint
from fengqiao.org.selectors import centre_for_region, parent_centre
from fengqiao.sla.services import deadline_extend, deadlines_follow, deadlines_regrade
from fengqiao.warnings import hooks as radar_hooks

log = logging.getLogger("fengqiao.cases")

# Actions after which the current step starts again for a new holder.
RESTARTING_ACTIONS = frozenset({Action.REDISPATCH, Action.RETURN_REFUSE, Action.ESCALATE})


class ConcurrentUpdate(Exception):
    """Someone else changed the case since the caller read it (HTTP 409)."""


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    kind: str = Party.Kind.PERSON
    phone: str = ""
    id_type: str = ""
    id_number: str = ""


def _next_code(region: Region, when: datetime) -> str:
    district = region.district
    prefix = (district.case_prefix if district else "") or "FQ"
    year = timezone.localtime(when).year
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    CaseCounter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
    counter.refresh_from_db(fields=["value"])
    return f"{prefix}-{year}-{counter.value:06d}"


def _append_event(
    case: Case,
    *,
    action: str,
    actor,
    from_status: str,
    reason: str = "",
    data: dict | None = None,
    is_public: bool = True,
    at: datetime,
    actor_unit: OrgUnit | None = None,
    first: bool = False,
) -> CaseEvent:
    """Append one line to the case's timeline, chained to the case's last line (fengqiao.audit.timeline). The
    caller holds the case row lock (or has just created the case: `first`), so the chain cannot fork."""
    if first:
        last_seq, last_chain = 0, GENESIS
    else:
        last_seq, last_chain = (CaseEvent.objects.filter(case=case).order_by("-seq")
                                .values_list("seq", "chain").first() or (0, GENESIS))
    actor_unit = actor_unit or _actor_unit(actor, case)
    event = CaseEvent(
        case=case,
        seq=last_seq + 1,
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_unit=actor_unit,
        action=action,
        from_status=from_status,
        to_status=case.status,
        reason=reason,
        data=data or {},
        is_public=is_public,
    )
    event.digest, event.chain = sealed(content_of(event), last_chain, signing_key())
    event.save(force_insert=True)
    return event


def _actor_unit(actor, case: Case) -> OrgUnit | None:
    if actor is None or not actor.is_authenticated:
        return None
    for grant in scope_for(actor).grants:
        if case.holder_unit_id in grant.unit_ids or case.region_id in grant.region_ids:
            return OrgUnit.objects.get(pk=grant.unit_id)
    return None


# --- submission ------------------------------------------------------------------


@transaction.atomic
def case_submit(
    *,
    channel: str,
    service_type: str,
    title: str,
    description: str,
    region: Region,
    category: Category | None = None,
    grade: str = Grade.GREEN,
    grade_reasons: list[str] | None = None,
    people_count: int = 1,
    amount: Decimal | None = None,
    parties: list[PartyInput] | tuple[PartyInput, ...] = (),
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    service_point: ServicePoint | None = None,
    applicant_user=None,
    reporter=None,
    is_anonymous: bool = False,
    consent_contact: bool = True,
    consent_sensitive: bool = False,
    source_system: str = "",
    source_id: str = "",
    submitted_at: datetime | None = None,
) -> Case:
    """Take in a demand. A re-sent submission (same source system and id) returns the first case."""
    if source_id:
        existing = Case.objects.filter(source_system=source_system, source_id=source_id).first()
        if existing is not None:
            return existing
    errors: dict[str, str] = {}
    if not description or len(description.strip()) < 5:
        errors["description"] = _("Please describe what happened in a few words (at least 5 characters).")
    if not title.strip():
        title = title_from_description(description)
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if people_count < 1:
        errors["people_count"] = _("At least one person is involved.")
    if amount is not None and amount < 0:
        errors["amount"] = _("The money involved cannot be negative.")
    holder = centre_for_region(region)
    if holder is None:
        errors["region"] = _("No service centre serves this place yet.")
    if errors:
        raise ValidationError(errors)
    assert holder is not None  # refused above
    now = submitted_at or timezone.now()
    grade, grade_reasons = _graded(grade, list(grade_reasons or []), title=title, description=description,
                                   people_count=people_count, amount=amount,
                                   phones=[p.phone for p in parties if p.phone], at=now)
    case = Case(
        code=_next_code(region, now),
        channel=channel,
        service_type=service_type,
        category=category,
        grade=grade,
        grade_reasons=grade_reasons,
        title=shorten(title, TITLE_MAX),
        description=description.strip(),
        people_count=people_count,
        amount=amount,
        region=region,
        service_point=service_point,
        address=address,
        latitude=latitude,
        longitude=longitude,
        holder_unit=holder,
        applicant_user=applicant_user,
        reporter=reporter,
        is_anonymous=is_anonymous,
        consent_contact=consent_contact,
        consent_sensitive=consent_sensitive,
        source_system=source_system,
        source_id=source_id,
        submitted_at=now,
        status=Status.SUBMITTED,
    )
    case.save()
    deadlines_follow(case, before="", after=Status.SUBMITTED, at=now)
    Party.objects.bulk_create(
        Party(
            case=case,
            role=p.role,
            kind=p.kind,
            name=p.name,
            phone=p.phone,
            id_type=p.id_type,
            id_number=p.id_number,
        )
        for p in parties
    )
    _append_event(
        case,
        action=Action.SUBMIT,
        actor=reporter or applicant_user,
        from_status="",
        data={"channel": channel, "holder_unit": holder.pk, "region": region.pk},
        at=now,
        first=True,
    )
    tallies.case_changed(None, case)  # the big screen's counters, in this transaction
    radar_hooks.case_submitted(case, parties)  # what the early-warning radar keeps of a new case
    _triage("on_submit", case)
    return case


def _graded(grade: str, reasons: list[str], **facts) -> tuple[str, list[str]]:
    """A new case arrives graded: the grading rules (fengqiao.triage) raise the grade given, never lower it,
    and add their reasons. If grading fails, the case keeps the grade it was given."""
    try:
        with transaction.atomic():
            from fengqiao.triage import hooks

            ruled, ruled_reasons = hooks.grade_submission(**facts)
    except Exception:  # never lose a submission to triage
        log.exception("grading a new case failed")
        return grade, reasons
    if GRADE_RANK.get(ruled, 0) > GRADE_RANK.get(grade, 0):
        return ruled, [*reasons, *ruled_reasons]
    if ruled == grade and not reasons:
        return grade, list(ruled_reasons)
    return grade, reasons


def _triage(hook: str, case: Case, **kwargs) -> None:
    """Tell triage (fengqiao.triage.hooks) what happened. Triage is advice: if it fails, the savepoint
    undoes only its own writes, the failure is logged, and the case action stands."""
    try:
        with transaction.atomic():
            from fengqiao.triage import hooks

            getattr(hooks, hook)(case, **kwargs)
    except Exception:  # never lose a submission or an action to triage
        log.exception("triage hook %s failed for %s", hook, case.code)
        case.refresh_from_db()


# --- the lifecycle ----------------------------------------------------------------


def _check_right(actor, action: str, case: Case, *, is_public: bool = False) -> None:
    if actor is None:  # the platform itself (the deadline sweep, imports)
        return
    if action in SYSTEM_ACTIONS:
        raise PermissionDenied(_("Only the platform records deadline events."))
    if action in STEP_ACTIONS:  # case_record_step: the procedure's service has checked the actor's right
        return
    if not may_act(actor, action, case, is_public=is_public):  # cases.permissions: the capability each action needs
        raise PermissionDenied(_("You may not do this on this case."))


@transaction.atomic
def _act(
    case: Case,
    *,
    action: str,
    actor,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    data: dict | None = None,
    is_public: bool = True,
    at: datetime | None = None,
    expected_version: int | None = None,
    approve: bool | None = None,
) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentUpdate(_("This case was changed by someone else a moment ago. Reload it and try again."))
    _check_right(actor, action, locked, is_public=is_public)
    tallied = tallies.snapshot(locked)  # what the counters hold for this case before the move
    acting_unit = _actor_unit(actor, locked)  # judged before the change: a returning unit no longer holds the case
    missing = reason_missing(action, reason, approve=approve)  # the one rule (workflow.reason_rule) the forms use too
    if missing:
        raise ValidationError({"reason": missing})
    before = locked.status
    new_status = transition(action, before, held_from=locked.held_from)
    now = at or timezone.now()
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
    locked.held_from = before if new_status == Status.ON_HOLD else ""
    if new_status != before:
        locked.status = new_status
        if new_status in (Status.CLOSED, Status.REJECTED, Status.MERGED, Status.WITHDRAWN):
            locked.closed_at = now
    if new_status != before or changes:
        # Reads and notes leave the version alone, so they never make someone else's action stale.
        locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db(fields=["version"])
    tallies.case_changed(tallied, locked)
    if new_status != before or action in RESTARTING_ACTIONS or action == Action.PROGRESS:
        deadlines_follow(locked, before=before, after=new_status, at=now, restart=action in RESTARTING_ACTIONS,
                         progress_reported=action == Action.PROGRESS)
    _append_event(locked, action=action, actor=actor, from_status=before, reason=reason, data=data, is_public=is_public, at=now,
                  actor_unit=acting_unit)
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    case._state.fields_cache = dict(locked._state.fields_cache)  # related objects follow the new ids
    case.__dict__.pop("_prefetched_objects_cache", None)
    return case


def case_accept(*, case: Case, actor, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.ACCEPT, actor=actor, at=at, expected_version=expected_version)


def case_reject(*, case: Case, actor, reason: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.REJECT, actor=actor, reason=reason, at=at, expected_version=expected_version)


@transaction.atomic
def case_dispatch(
    *,
    case: Case,
    actor,
    unit: OrgUnit,
    assisting: list[OrgUnit] | tuple[OrgUnit, ...] = (),
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Case:
    action = Action.DISPATCH if case.status == Status.ACCEPTED else Action.REDISPATCH
    _act(
        case,
        action=action,
        actor=actor,
        reason=note,
        changes={"holder_unit": unit, "assignee": None},
        data={"from_unit": case.holder_unit_id, "to_unit": unit.pk, "assisting": [u.pk for u in assisting]},
        at=at,
        expected_version=expected_version,
    )
    Assignment.objects.filter(case=case, is_active=True).update(is_active=False)
    Assignment.objects.update_or_create(case=case, unit=unit, role=Assignment.Role.LEAD, defaults={"is_active": True})
    for helper in assisting:
        Assignment.objects.update_or_create(
            case=case, unit=helper, role=Assignment.Role.ASSIST, defaults={"is_active": True}
        )
    red = case.grade == Grade.RED
    notify(
        unit_members([unit, *assisting], [Role.HANDLER, Role.OPERATOR, Role.MEDIATOR]),
        kind="case_dispatched_red" if red else "case_dispatched",
        title=_("New case %(code)s dispatched to you") % {"code": case.code} + (_(" (class 1, red)") if red else ""),
        body=case.title,
        case=case,
        key=f"case:{case.pk}:v{case.version}:dispatched",
    )
    _triage("on_dispatch", case, unit=unit, actor=actor, note=note)
    return case


def case_sign(*, case: Case, actor, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.SIGN, actor=actor, at=at, expected_version=expected_version)


def case_start(*, case: Case, actor, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.START, actor=actor, at=at, expected_version=expected_version)


def case_progress(*, case: Case, actor, note: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.PROGRESS, actor=actor, reason=note, at=at, expected_version=expected_version)


@transaction.atomic
def case_return(*, case: Case, actor, reason: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    """退单: the unit says the case is not theirs; it goes back to the dispatching centre."""
    dispatcher = _dispatching_centre(case)
    _act(
        case,
        action=Action.RETURN,
        actor=actor,
        reason=reason,
        changes={"holder_unit": dispatcher, "assignee": None},
        data={"returned_by": case.holder_unit_id},
        at=at,
        expected_version=expected_version,
    )
    notify(
        unit_members([dispatcher], [Role.OPERATOR]),
        kind="case_returned",
        title=_("Case %(code)s was returned (退单)") % {"code": case.code},
        body=reason,
        case=case,
        key=f"case:{case.pk}:v{case.version}:returned",
    )
    return case


def case_return_refuse(*, case: Case, actor, reason: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    """The dispatcher finds the return unjustified: the case goes back to the unit, marked."""
    last_return = case.events.filter(action=Action.RETURN).order_by("-seq").first()
    unit_id = last_return.data.get("returned_by") if last_return else None
    if unit_id is None:
        raise ValidationError({"reason": _("There is no return to refuse.")})
    return _act(
        case,
        action=Action.RETURN_REFUSE,
        actor=actor,
        reason=reason,
        changes={"holder_unit": OrgUnit.objects.get(pk=unit_id)},
        data={"unjustified_return_by": unit_id},
        at=at,
        expected_version=expected_version,
    )


def _dispatching_centre(case: Case) -> OrgUnit:
    last = case.events.filter(action__in=[Action.DISPATCH, Action.REDISPATCH]).order_by("-seq").first()
    if last is not None and last.actor_unit is not None:
        return last.actor_unit
    centre = centre_for_region(case.region)
    if centre is None:
        raise ValidationError({"reason": _("No service centre serves this place any more.")})
    return centre


def case_escalate(*, case: Case, actor, reason: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    """Hand the case up one level: community → street → district."""
    current = case.holder_unit if case.holder_unit.is_centre else _dispatching_centre(case)
    upper = parent_centre(current)
    if upper is None:
        raise ValidationError({"reason": _("This case is already at the district level.")})
    return _act(
        case,
        action=Action.ESCALATE,
        actor=actor,
        reason=reason,
        changes={"holder_unit": upper, "assignee": None},
        data={"from_unit": case.holder_unit_id, "to_unit": upper.pk},
        at=at,
        expected_version=expected_version,
    )


def case_supervise(*, case: Case, actor, reason: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.SUPERVISE, actor=actor, reason=reason, at=at, expected_version=expected_version)


def case_hold(*, case: Case, actor, reason: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.HOLD, actor=actor, reason=reason, at=at, expected_version=expected_version)


def case_resume(*, case: Case, actor, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.RESUME, actor=actor, at=at, expected_version=expected_version)


def case_withdraw(*, case: Case, actor, reason: str = "", at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.WITHDRAW, actor=actor, reason=reason, at=at, expected_version=expected_version)


def case_resolve(*, case: Case, actor, outcome: str, note: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    now = at or timezone.now()
    changes = {"outcome": outcome, "resolved_at": now, "resolved_on_time": _resolve_on_time(case, now)}
    return _act(case, action=Action.RESOLVE, actor=actor, reason=note, changes=changes, at=now, expected_version=expected_version)


def _resolve_on_time(case: Case, now: datetime) -> bool:
    """A result recorded at `now` is on time unless the running resolve step's limit (extensions and holds
    included) has already passed."""
    from fengqiao.sla.models import Deadline, DeadlineState

    return not Deadline.objects.filter(case=case, step="resolve", state=DeadlineState.OPEN, due_at__lt=now).exists()


def case_confirm(*, case: Case, actor, satisfaction: str, by: str = "resident", at: datetime | None = None, expected_version: int | None = None) -> Case:
    if satisfaction not in SATISFACTION:
        raise ValidationError({"satisfaction": _("Choose how satisfied the resident is.")})
    return _act(
        case, action=Action.CONFIRM, actor=actor, changes={"satisfaction": satisfaction}, data={"by": by}, at=at,
        expected_version=expected_version,
    )


def case_reopen(*, case: Case, actor, reason: str, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(
        case,
        action=Action.REOPEN,
        actor=actor,
        reason=reason,
        changes={"reopen_count": case.reopen_count + 1, "satisfaction": Satisfaction.DISSATISFIED},
        at=at,
        expected_version=expected_version,
    )


def case_close(*, case: Case, actor, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.CLOSE, actor=actor, at=at, expected_version=expected_version)


def case_note(*, case: Case, actor, text: str, internal: bool = True, at: datetime | None = None, expected_version: int | None = None) -> Case:
    return _act(case, action=Action.NOTE, actor=actor, reason=text, is_public=not internal, at=at, expected_version=expected_version)


@transaction.atomic
def case_add_information(*, case: Case, actor, text: str, at: datetime | None = None) -> Case:
    """The resident adds to the demand (补充材料, from the tracking page): a public note that counts as a fact
    of the case, so the grade is looked at again (it only rises by itself; a rise tells the owners)."""
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    _act(case, action=Action.NOTE, actor=actor, reason=text.strip(), is_public=True, data={CaseEvent.INFORMATION: True}, at=at)
    _triage("on_facts_changed", case)
    return case


@transaction.atomic
def case_merge(*, case: Case, actor, into: Case, at: datetime | None = None, expected_version: int | None = None) -> Case:
    """Merge a duplicate into `into`: its parties and attachments join the main case, which counts its
    residents ("me too", 附议); the main case is graded again with the new facts."""
    if into.pk == case.pk or into.merged_into_id is not None or not into.is_open:
        raise ValidationError({"into": _("Merge into another open case that is not itself merged.")})
    _act(case, action=Action.MERGE, actor=actor, changes={"merged_into": into}, data={"into": into.code}, at=at,
         expected_version=expected_version)
    main = Case.objects.select_for_update().get(pk=into.pk)
    tallied = tallies.snapshot(main)  # the main case gains the duplicate's respondents
    for party in case.parties.all():
        Party.objects.create(case=into, role=party.role, kind=party.kind, name=party.name, phone=party.phone,
                             id_type=party.id_type, id_number=party.id_number)
    tallies.case_changed(tallied, main)
    known = set(Attachment.objects.filter(case=into).values_list("sha256", flat=True))
    for attachment in case.attachments.all():
        if attachment.sha256 not in known:  # the same stored file, listed on the main case too
            Attachment.objects.create(case=into, file=attachment.file.name, original_name=attachment.original_name,
                                      content_type=attachment.content_type, size=attachment.size,
                                      sha256=attachment.sha256, uploaded_by=attachment.uploaded_by,
                                      is_public=attachment.is_public)
            known.add(attachment.sha256)
    me_too = Case.objects.filter(merged_into=into).count()
    _act(into, action=Action.NOTE, actor=actor, reason=_("Case %(code)s merged into this one.") % {"code": case.code},
         changes={"people_count": into.people_count + case.people_count},
         data={"merged": case.code, "me_too": me_too}, is_public=False, at=at)
    _triage("on_facts_changed", into)
    return into


@transaction.atomic
def case_recategorise(*, case: Case, actor, service_type: str | None = None, category: Category | None = None,
                      reason: str = "", at: datetime | None = None, expected_version: int | None = None) -> Case:
    """Change the service type and/or the category (a person confirming or correcting triage).

    Recorded on the timeline as an internal note with the old and new values; needs the review right.
    """
    if actor is not None and not may(actor, OPERATION_CAPABILITY["case.recategorise"], case):
        raise PermissionDenied(_("You may not do this on this case."))
    if not case.is_open:
        raise ValidationError({"category": _("A closed case keeps its service type and category.")})
    changes: dict[str, Any] = {}
    lines: list[str] = []
    data: dict[str, Any] = {}
    if service_type is not None and service_type != case.service_type:
        if service_type not in ServiceType.values:
            raise ValidationError({"service_type": _("Unknown service type.")})
        changes["service_type"] = service_type
        lines.append(_("service type %(old)s → %(new)s") % {
            "old": ServiceType(case.service_type).label, "new": ServiceType(service_type).label})
        data["service_type"] = [case.service_type, service_type]
    if category is not None and category.pk != case.category_id:
        changes["category"] = category
        lines.append(_("category %(old)s → %(new)s") % {"old": case.category or "—", "new": category})
        data["category"] = [case.category_id, category.pk]
    if not changes:
        return case
    text = _("Service type or category changed: %(changes)s.") % {"changes": "; ".join(str(x) for x in lines)}
    if reason.strip():
        text = f"{text} {reason.strip()}"
    return _act(case, action=Action.NOTE, actor=actor, reason=text, changes=changes, data={"recategorise": data},
                is_public=False, at=at, expected_version=expected_version)


@transaction.atomic
def case_link(*, case: Case, actor, other: Case, kind: str = "related", at: datetime | None = None) -> Case:
    """Record that `other` is related to `case` (same place, respondent, phone …) without merging them."""
    if other.pk == case.pk:
        raise ValidationError({"other": _("A case cannot be linked to itself.")})
    if actor is not None and not may(actor, OPERATION_CAPABILITY["case.link"], case):
        raise PermissionDenied(_("You may not do this on this case."))
    if actor is not None and not Case.objects.visible_to(actor).filter(pk=other.pk).exists():
        raise ValidationError({"other": _("No case has the code %(code)s.") % {"code": other.code}})
    linked = CaseEvent.objects.filter(action=Action.NOTE, case=case, data__link__id=other.pk).exists() or \
        CaseEvent.objects.filter(action=Action.NOTE, case=other, data__link__id=case.pk).exists()
    if linked:
        return case
    return _act(case, action=Action.NOTE, actor=actor,
                reason=_("Linked to case %(code)s.") % {"code": other.code},
                data={"link": {"id": other.pk, "code": other.code, "kind": kind}}, is_public=False, at=at)


def case_extension_request(*, case: Case, actor, reason: str, days: int, at: datetime | None = None,
                           expected_version: int | None = None) -> Case:
    if not 1 <= days <= 30:
        raise ValidationError({"days": _("Ask for between 1 and 30 days.")})
    return _act(case, action=Action.EXTENSION_REQUEST, actor=actor, reason=reason, data={"days": days},
                is_public=False, at=at, expected_version=expected_version)


def pending_extension(case: Case):
    """The latest extension request not yet decided, or None."""
    last = case.events.filter(action__in=[Action.EXTENSION_REQUEST, Action.EXTENSION_DECIDE]).order_by("-seq").first()
    return last if last is not None and last.action == Action.EXTENSION_REQUEST else None


@transaction.atomic
def case_extension_decide(*, case: Case, actor, approve: bool, reason: str = "", at: datetime | None = None,
                          expected_version: int | None = None) -> Case:
    request = pending_extension(case)
    if request is None:
        raise ValidationError({"reason": _("There is no extension request to decide.")})
    _act(case, action=Action.EXTENSION_DECIDE, actor=actor, reason=reason,
         data={"approved": approve, "days": request.data["days"]}, is_public=False, at=at,
         expected_version=expected_version, approve=approve)
    if approve:
        deadline_extend(case, days=request.data["days"])
    return case


def case_assign(*, case: Case, actor, assignee, at: datetime | None = None, expected_version: int | None = None) -> Case:
    from fengqiao.org.models import Membership

    if not Membership.objects.filter(user=assignee, unit=case.holder_unit, is_active=True).exists():
        raise ValidationError({"assignee": _("Assign to someone in the holding unit.")})
    return _act(case, action=Action.ASSIGN, actor=actor, changes={"assignee": assignee},
                data={"assignee": assignee.pk}, is_public=False, at=at, expected_version=expected_version)


@transaction.atomic
def case_assist(*, case: Case, actor, unit: OrgUnit, at: datetime | None = None, expected_version: int | None = None) -> Case:
    if unit.pk == case.holder_unit_id:
        raise ValidationError({"unit": _("The lead unit cannot also assist.")})
    _act(case, action=Action.ASSIST, actor=actor, data={"unit": unit.pk}, at=at, expected_version=expected_version)
    Assignment.objects.update_or_create(case=case, unit=unit, role=Assignment.Role.ASSIST, defaults={"is_active": True})
    return case


@transaction.atomic
def case_regrade(*, case: Case, actor, grade: str, reason: str, reasons: Sequence[str | dict[str, Any]] | None = None,
                 at: datetime | None = None, expected_version: int | None = None) -> Case:
    """Change the grade (a person with a reason, or the platform's rules with theirs in `reasons`).

    A higher grade re-times the running deadlines and tells the holding unit; a rise to red also
    tells the district's leaders."""
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Unknown grade.")})
    before = case.grade
    changes: dict[str, Any] = {"grade": grade}
    if reasons is not None:
        # plain text, or messages shown in the reader's language (fengqiao.core.reasons)
        changes["grade_reasons"] = [r if isinstance(r, dict) else str(r) for r in reasons]
    _act(case, action=Action.REGRADE, actor=actor, reason=reason, changes=changes,
         data={"from": before, "to": grade}, is_public=False, at=at, expected_version=expected_version)
    deadlines_regrade(case)
    if GRADE_RANK[grade] > GRADE_RANK.get(before, 0):
        _notify_grade_rise(case, before=before, reason=reason)
    return case


GRADE_RANK: dict[str, int] = {Grade.GREEN: 0, Grade.YELLOW: 1, Grade.RED: 2}


def _notify_grade_rise(case: Case, *, before: str, reason: str) -> None:
    recipients = unit_members([case.holder_unit], [Role.OPERATOR, Role.HANDLER])
    if case.grade == Grade.RED:
        district = case.region.district
        centre = centre_for_region(district) if district else None
        if centre is not None:
            recipients += unit_members([centre], [Role.LEADER])
    notify(
        recipients,
        kind="case_regraded_red" if case.grade == Grade.RED else "case_regraded",
        title=_("Case %(code)s raised to %(grade)s") % {"code": case.code, "grade": Grade(case.grade).label},
        body=reason,
        case=case,
        key=f"case:{case.pk}:v{case.version}:regraded",
    )


def case_reveal_personal_data(*, case: Case, actor, reason: str = "", at: datetime | None = None) -> list[Party]:
    """Show the unmasked phone and ID numbers; the read itself goes on the timeline."""
    _act(case, action=Action.PII_REVEAL, actor=actor, reason=reason, is_public=False, at=at)
    return list(case.parties.all())


@transaction.atomic
def case_attach(*, case: Case, actor, upload, is_public: bool = True, at: datetime | None = None):
    """Attach a file after checking its content; the same file twice on one case is kept once."""
    from django.core.files.base import ContentFile

    from fengqiao.cases.models import Attachment
    from fengqiao.intake.files import check_upload, safe_storage_name

    _check_right(actor if actor is not None and actor.is_authenticated else None, Action.NOTE, case,
                 is_public=is_public)  # before the file is stored (the note below checks again, under the lock)
    mime, extension, digest = check_upload(upload)
    existing = Attachment.objects.filter(case=case, sha256=digest).first()
    if existing is not None:
        return existing
    attachment = Attachment(
        case=case,
        original_name=(upload.name or "file")[-200:],
        content_type=mime,
        size=upload.size,
        sha256=digest,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        is_public=is_public,
    )
    attachment.file.save(safe_storage_name(case.code, extension), ContentFile(upload.read()), save=False)
    attachment.save()
    _act(case, action=Action.NOTE, actor=actor if actor is not None and actor.is_authenticated else None,
         reason=_("Attachment added: %(name)s") % {"name": attachment.original_name},
         data={"attachment": attachment.pk}, is_public=is_public, at=at)
    return attachment


def case_record_deadline_event(*, case: Case, action: str, step: str, due: datetime, at: datetime) -> Case:
    """The sweep's note on the timeline that a step is nearly due, overdue, or escalated."""
    if action not in SYSTEM_ACTIONS:
        raise ValueError(f"{action} is not a deadline event")
    return _act(case, action=action, actor=None, data={"step": step, "due_at": due.isoformat()}, is_public=False, at=at)


OUTCOMES = frozenset(Outcome.values)
SATISFACTION = frozenset(Satisfaction.values)


def case_record_step(
    *,
    case: Case,
    action: str,
    step: str,
    actor,
    reason: str = "",
    public: str | None = None,
    public_args: dict[str, Any] | None = None,
    public_words: bool = False,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Case:
    """A step of mediation, a legal route or a petition on the case's timeline (no change of state).

    Called only by the procedure's own service, inside its transaction and after it has checked the actor's
    right. `step` names the step (e.g. "agreement_effective"); `public` is an untranslated message
    (`gettext_noop`) the resident sees on the tracking page, with `public_args`, translated when shown
    (`cases.public`); without it the line is for staff only. `public_words`: the reason is written for the
    resident and shown under the label.
    """
    if action not in STEP_ACTIONS:
        raise ValueError(f"{action} is not a procedure step")
    payload = {**(data or {}), "step": step}
    if public:
        payload.update(public=public, public_args=public_args or {}, public_words=public_words)
    return _act(case, action=action, actor=actor, reason=reason, data=payload, is_public=bool(public), at=at)
