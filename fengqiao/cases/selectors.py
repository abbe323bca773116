"""Named reads over cases: the workbench queues, each a filter on what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, CaseQuerySet, Grade
from fengqiao.cases.workflow import OPEN_STATES, Status
from fengqiao.org.models import Role
from fengqiao.sla.display import DUE_SOON


@dataclass(frozen=True)
class Queue:
    slug: str
    label: Promise
    help: Promise

    def filter(self, user, now=None) -> Q:
        now = now or timezone.now()
        return _QUEUE_FILTERS[self.slug](user, now)


_QUEUE_FILTERS = {
    "to_review": lambda user, now: Q(status=Status.SUBMITTED),
    "to_dispatch": lambda user, now: Q(status=Status.ACCEPTED),
    "returned": lambda user, now: Q(status=Status.RETURNED),
    "to_sign": lambda user, now: Q(status=Status.DISPATCHED),
    "in_progress": lambda user, now: Q(status__in=[Status.SIGNED, Status.IN_PROGRESS, Status.ON_HOLD]),
    "awaiting_confirmation": lambda user, now: Q(status=Status.RESOLVED),
    "overdue": lambda user, now: Q(status__in=OPEN_STATES, due_at__lt=now),
    "due_soon": lambda user, now: Q(status__in=OPEN_STATES, due_at__gte=now, due_at__lt=now + DUE_SOON),
    "red": lambda user, now: Q(status__in=OPEN_STATES, grade=Grade.RED),
    "mine": lambda user, now: Q(status__in=OPEN_STATES, assignee=user),
    "my_reports": lambda user, now: Q(reporter=user),
    "all_open": lambda user, now: Q(status__in=OPEN_STATES),
    "all": lambda user, now: Q(),
}

QUEUES: dict[str, Queue] = {
    q.slug: q
    for q in [
        Queue("to_review", _("To review"), _("New demands waiting to be accepted, rejected or merged")),
        Queue("to_dispatch", _("To dispatch"), _("Accepted cases waiting for a handling unit")),
        Queue("returned", _("Returned"), _("Cases a unit sent back (退单), waiting for your review")),
        Queue("to_sign", _("To sign for"), _("Cases dispatched to your unit")),
        Queue("in_progress", _("In progress"), _("Cases your unit is working on")),
        Queue("awaiting_confirmation", _("Awaiting confirmation"), _("Resolved, waiting for the resident or a return visit")),
        Queue("overdue", _("Overdue"), _("Open cases past their current deadline")),
        Queue("due_soon", _("Due soon"), _("Open cases due within two hours")),
        Queue("red", _("Red cases"), _("Open class-1 cases")),
        Queue("mine", _("Assigned to me"), _("Open cases assigned to you")),
        Queue("my_reports", _("My reports"), _("What you reported from patrol")),
        Queue("all_open", _("All open"), _("Every open case you may see")),
        Queue("all", _("All cases"), _("Every case you may see")),
    ]
}

ROLE_QUEUES: dict[str, list[str]] = {
    Role.OPERATOR: ["to_review", "to_dispatch", "returned", "overdue", "due_soon", "awaiting_confirmation"],
    Role.STATION_STAFF: ["to_review", "all_open"],
    Role.HANDLER: ["to_sign", "in_progress", "overdue", "due_soon", "mine"],
    Role.MEDIATOR: ["mine", "in_progress", "to_sign"],
    Role.COURT_CLERK: ["in_progress", "all_open"],
    Role.LEADER: ["red", "overdue", "all_open"],
    Role.GRID_WORKER: ["my_reports"],
    Role.VOLUNTEER: ["my_reports"],
    Role.AUDITOR: ["all"],
    Role.ADMINISTRATOR: [],
}


def queue_cases(user, slug: str, now=None) -> CaseQuerySet:
    queue = QUEUES[slug]
    return Case.objects.visible_to(user).filter(queue.filter(user, now))
