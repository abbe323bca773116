"""The home page: for each role the user holds, the queues that need action now."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.cases.selectors import QUEUES, ROLE_QUEUES, queue_cases
from fengqiao.org.access import scope_for
from fengqiao.org.models import Membership, Role

PREVIEW = 5


@dataclass
class QueueSummary:
    slug: str
    label: str
    help: str
    count: int
    preview: list[Case] = field(default_factory=list)


@dataclass
class Section:
    role: str
    role_label: str
    units: list[str]
    queues: list[QueueSummary]


def home_sections(user) -> list[Section]:
    scope = scope_for(user)
    now = timezone.now()
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("unit")
    units_by_role: dict[str, list[str]] = {}
    for m in memberships:
        units_by_role.setdefault(m.role, []).append(m.unit.name)
    sections = []
    for role in [r for r in Role.values if r in scope.roles]:
        summaries = []
        for slug in ROLE_QUEUES.get(role, []):
            qs = queue_cases(user, slug, now)
            preview = list(
                qs.select_related("region", "holder_unit").order_by("due_at", "-submitted_at")[:PREVIEW]
            )
            summaries.append(
                QueueSummary(
                    slug=slug,
                    label=str(QUEUES[slug].label),
                    help=str(QUEUES[slug].help),
                    count=qs.count(),
                    preview=preview,
                )
            )
        sections.append(Section(role=role, role_label=str(Role(role).label), units=units_by_role[role], queues=summaries))
    return sections
