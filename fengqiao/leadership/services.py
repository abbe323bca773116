"""The only writes of case ownership (领导包案) and sink-down duty (下沉接访)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case
from fengqiao.cases.workflow import OPEN_STATES
from fengqiao.leadership import rules
from fengqiao.leadership.models import DutyShift, Ownership
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import Membership, OrgUnit, Role, ServicePoint


def _leader_unit(user) -> OrgUnit | None:
    membership = (Membership.objects.filter(user=user, role=Role.LEADER, is_active=True).select_related("unit")
                  .order_by("unit__path").first())
    return membership.unit if membership else None


def _name(user) -> str:
    return user.name or user.username


@transaction.atomic
def ownership_take(*, case: Case, leader, reason: str = "", at: datetime | None = None) -> Ownership:
    """A leader takes a major or old case (包案); the holding unit is told."""
    now = at or timezone.now()
    unit = _leader_unit(leader)
    if unit is None or not may(leader, Capability.CASE_OWN, case):
        raise PermissionDenied(_("Only a leader who oversees this case may take it."))
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status not in OPEN_STATES:
        raise ValidationError(_("The case is %(status)s: only an open case is taken.")
                              % {"status": locked.get_status_display()})
    basis = rules.ownership_basis(grade=locked.grade, submitted_at=locked.submitted_at, now=now)
    if basis is None:
        raise ValidationError(_("Leaders take major cases (red or yellow) and cases open over %(days)d days; this "
                                "one is neither.") % {"days": rules.OLD_AFTER_DAYS})
    current = Ownership.objects.filter(case=locked, released_at__isnull=True).select_related("leader").first()
    if current is not None:
        raise ValidationError(_("%(name)s already owns this case.") % {"name": _name(current.leader)})
    try:
        with transaction.atomic():
            ownership = Ownership.objects.create(case=locked, leader=leader, unit=unit, reason=reason.strip(),
                                                 basis=basis, taken_at=now)
    except IntegrityError as exc:
        raise ValidationError(_("Another leader has just taken this case.")) from exc
    if locked.holder_unit_id:
        notify(unit_members([locked.holder_unit], [Role.OPERATOR, Role.HANDLER, Role.LEADER]), kind="ownership",
               title=_("%(name)s owns case %(code)s (包案)") % {"name": _name(leader), "code": locked.code},
               body=reason.strip()[:200], case=locked, key=f"ownership:{ownership.pk}:taken")
    return ownership


@transaction.atomic
def ownership_release(*, ownership: Ownership, actor, reason: str, at: datetime | None = None) -> Ownership:
    now = at or timezone.now()
    locked = Ownership.objects.select_for_update().select_related("case").get(pk=ownership.pk)
    if actor.pk != locked.leader_id:
        raise PermissionDenied(_("Only the leader who owns the case releases it."))
    if locked.released_at is not None:
        raise ValidationError(_("This case was already released."))
    if not reason.strip() and locked.case.status in OPEN_STATES:
        raise ValidationError({"reason": [_("Say why you release a case that is still open.")]})
    locked.released_at, locked.release_reason = now, reason.strip()
    locked.save(update_fields=["released_at", "release_reason"])
    return locked


def ownership_supervise(*, ownership: Ownership, actor, reason: str, at: datetime | None = None) -> Case:
    """The owning leader supervises (督办): a supervise line on the case's timeline, the holder told."""
    if actor.pk != ownership.leader_id or ownership.released_at is not None:
        raise PermissionDenied(_("Only the leader who owns the case supervises it from here."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what must be done, and by when.")]})
    return cs.case_supervise(case=ownership.case, actor=actor, reason=reason.strip(), at=at)


# --- sink-down duty ------------------------------------------------------------------------------------------


def _point_in_scope(user, point: ServicePoint) -> bool:
    scope = scope_for(user)
    return point.region_id in scope.region_ids or point.unit_id in scope.unit_ids


@transaction.atomic
def duty_schedule(*, leader, service_point: ServicePoint, starts_at: datetime, ends_at: datetime, actor,
                  at: datetime | None = None) -> DutyShift:
    """Put a leader on duty at a service point. The leader schedules themselves, or a centre operator does it for a
    leader whose scope covers the point."""
    now = at or timezone.now()
    if _leader_unit(leader) is None:
        raise ValidationError({"leader": [_("Only leaders take sink-down duty.")]})
    if actor.pk != leader.pk and not (Membership.objects.filter(user=actor, role=Role.OPERATOR, is_active=True)
                                      .exists() and _point_in_scope(actor, service_point)):
        raise PermissionDenied(_("You may not schedule this leader's duty."))
    if not _point_in_scope(leader, service_point):
        raise ValidationError({"service_point": [_("This service point is outside the leader's area.")]})
    problem = rules.duty_problem(starts_at=starts_at, ends_at=ends_at, now=now)
    if problem:
        raise ValidationError({"starts_at": [problem]})
    clash = DutyShift.objects.filter(leader=leader, starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
        status=DutyShift.Status.MISSED).first()
    if clash is not None:
        raise ValidationError({"starts_at": [_("The leader is already on duty at %(point)s then.")
                                             % {"point": clash.service_point.name}]})
    return DutyShift.objects.create(leader=leader, service_point=service_point, starts_at=starts_at, ends_at=ends_at,
                                    scheduled_by=actor)


@transaction.atomic
def duty_record(*, shift: DutyShift, actor, held: bool, visitors: int = 0, case_codes: list[str] | None = None,
                note: str = "", at: datetime | None = None) -> DutyShift:
    """Record how a shift went: held (residents received, the cases taken in) or not held (with a note)."""
    now = at or timezone.now()
    locked = DutyShift.objects.select_for_update().select_related("service_point").get(pk=shift.pk)
    if actor.pk != locked.leader_id and not (Membership.objects.filter(user=actor, role=Role.OPERATOR,
                                                                       is_active=True).exists()
                                             and _point_in_scope(actor, locked.service_point)):
        raise PermissionDenied(_("You may not record this shift."))
    if locked.starts_at > now:
        raise ValidationError(_("The shift has not started yet."))
    if locked.status != DutyShift.Status.PLANNED:
        raise ValidationError(_("This shift is already recorded."))
    if visitors < 0:
        raise ValidationError({"visitors": [_("The number of residents cannot be negative.")]})
    codes = [c.strip().upper() for c in case_codes or [] if c.strip()]
    cases = list(Case.objects.visible_to(actor).filter(code__in=codes))
    unknown = sorted(set(codes) - {c.code for c in cases})
    if unknown:
        raise ValidationError({"cases": [_("No case you can see has the code %(codes)s.")
                                         % {"codes": "、".join(unknown)}]})
    if not held and not note.strip():
        raise ValidationError({"note": [_("Say why the shift was not held.")]})
    locked.status = DutyShift.Status.HELD if held else DutyShift.Status.MISSED
    locked.visitors = max(visitors, len(cases)) if held else 0
    locked.note, locked.recorded_at = note.strip(), now
    locked.save(update_fields=["status", "visitors", "note", "recorded_at"])
    if held:
        locked.cases.set(cases)
    return locked
