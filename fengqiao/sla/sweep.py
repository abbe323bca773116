"""The deadline sweep: reminders before a deadline, an alert at it, escalation after the grace period.

Each event is claimed with a conditional UPDATE and written (timeline event and
notifications in the outbox) in the same transaction, so a crash at any point
either leaves nothing (and the next sweep does it) or leaves it done (and no
sweep repeats it). Safe to run from several workers at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.services import case_record_deadline_event
from fengqiao.cases.workflow import Action
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.models import OrgUnit, Role, UnitKind
from fengqiao.org.selectors import centre_for_region, parent_centre
from fengqiao.sla.models import Deadline, DeadlineState, Step

BATCH = 500
log = logging.getLogger("fengqiao.sla")
HOLDER_ROLES = (Role.HANDLER, Role.OPERATOR, Role.MEDIATOR)


@dataclass
class SweepReport:
    reminded: list[int] = field(default_factory=list)
    alerted: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"reminded": len(self.reminded), "alerted": len(self.alerted), "escalated": len(self.escalated),
                "failed": len(self.failed)}


def supervising_unit(unit: OrgUnit, case) -> OrgUnit | None:
    """Who supervises `unit` on this case: a centre's parent centre; a department's dispatching centre."""
    if unit.is_centre:
        return parent_centre(unit) or unit
    return centre_for_region(case.region.district or case.region) if case.region else None


def _holders(deadline: Deadline) -> list:
    case = deadline.case
    people = unit_members([case.holder_unit], HOLDER_ROLES)
    if case.assignee_id and case.assignee not in people:
        people.append(case.assignee)
    return people


def _message(deadline: Deadline, kind: str) -> tuple[str, str]:
    step = Step(deadline.step).label
    local_due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    code = deadline.case.code
    if kind == "reminder":
        return _("%(code)s: “%(step)s” is due at %(due)s") % {"code": code, "step": step, "due": local_due}, ""
    if kind == "overdue":
        return _("%(code)s: “%(step)s” is overdue (was due %(due)s)") % {"code": code, "step": step, "due": local_due}, ""
    return (
        _("%(code)s escalated: “%(step)s” still overdue (was due %(due)s)") % {"code": code, "step": step, "due": local_due},
        deadline.case.title,
    )


def _remind(deadline: Deadline, now: datetime) -> None:
    case_record_deadline_event(case=deadline.case, action=Action.DEADLINE_REMINDER, step=deadline.step,
                               due=deadline.due_at, at=now)
    title, body = _message(deadline, "reminder")
    notify(_holders(deadline), kind="deadline_reminder", title=title, body=body, case=deadline.case,
           key=f"deadline:{deadline.pk}:reminder")


def _alert(deadline: Deadline, now: datetime) -> None:
    case = deadline.case
    case_record_deadline_event(case=case, action=Action.DEADLINE_OVERDUE, step=deadline.step, due=deadline.due_at, at=now)
    supervisor = supervising_unit(case.holder_unit, case)
    people = _holders(deadline) + (unit_members([supervisor], [Role.OPERATOR]) if supervisor else [])
    title, body = _message(deadline, "overdue")
    notify(people, kind="deadline_overdue", title=title, body=body, case=case, key=f"deadline:{deadline.pk}:overdue")


def _escalate(deadline: Deadline, now: datetime) -> None:
    case = deadline.case
    case_record_deadline_event(case=case, action=Action.DEADLINE_ESCALATED, step=deadline.step, due=deadline.due_at,
                               at=now)
    supervisor = supervising_unit(case.holder_unit, case)
    district_centre = OrgUnit.objects.filter(region=case.region.district, kind=UnitKind.DISTRICT_CENTRE).first()
    units = [u for u in (supervisor, district_centre) if u is not None]
    people = unit_members(units, [Role.OPERATOR, Role.LEADER])
    title, body = _message(deadline, "escalated")
    notify(people, kind="deadline_escalated", title=title, body=body, case=case, key=f"deadline:{deadline.pk}:escalated")


def _fire(pk: int, mark: str, now: datetime, handler: Callable[[Deadline, datetime], None]) -> bool:
    with transaction.atomic():
        won = Deadline.objects.filter(pk=pk, state=DeadlineState.OPEN, **{f"{mark}__isnull": True}).update(**{mark: now})
        if not won:
            return False
        deadline = Deadline.objects.select_related("case", "case__holder_unit", "case__region", "case__assignee").get(
            pk=pk
        )
        handler(deadline, now)
    return True


def sweep(now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    running = Deadline.objects.filter(state=DeadlineState.OPEN)
    plan = [
        (running.filter(reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now), "reminded_at", _remind,
         report.reminded),
        (running.filter(alerted_at__isnull=True, due_at__lte=now), "alerted_at", _alert, report.alerted),
        (running.filter(escalated_at__isnull=True, escalate_at__lte=now), "escalated_at", _escalate, report.escalated),
    ]
    for queryset, mark, handler, done in plan:
        for pk in list(queryset.order_by("due_at").values_list("pk", flat=True)[:BATCH]):
            try:
                if _fire(pk, mark, now, handler):
                    done.append(pk)
            except Exception:  # one broken case must not stop the sweep; it is retried next time
                log.exception("deadline sweep failed on deadline %s (%s); will retry", pk, mark)
                report.failed.append(pk)
    return report
