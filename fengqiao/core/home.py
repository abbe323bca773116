"""The home page: what needs this user's action now.

- staff: one section per role they hold, each with the queues of that role
  (fengqiao.cases.selectors.ROLE_QUEUES) and a preview of the most urgent cases;
- the administrator: a way into the administration of the organisation;
- a resident (no membership at all): their own cases, with the status in plain words;
- someone whose memberships are all inactive: a clear empty state (`inactive_member`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.cases.models import Case
from fengqiao.cases.selectors import QUEUES, ROLE_QUEUES, queue_cases
from fengqiao.cases.workflow import OPEN_STATES, Status
from fengqiao.org.access import scope_for
from fengqiao.org.models import Membership, Role

PREVIEW = 5
RESIDENT_LIMIT = 20
RESIDENT = "resident"

# What a resident reads for each state: plain words, no office jargon.
RESIDENT_STATUS = {
    Status.SUBMITTED: gettext_lazy("Received — we are checking it"),
    Status.ACCEPTED: gettext_lazy("Accepted — finding the right department"),
    Status.REJECTED: gettext_lazy("Not taken on — see the reason we gave you"),
    Status.MERGED: gettext_lazy("Joined with a case about the same matter"),
    Status.DISPATCHED: gettext_lazy("Sent to the department that handles it"),
    Status.RETURNED: gettext_lazy("Being passed to the right department"),
    Status.SIGNED: gettext_lazy("The department has taken it on"),
    Status.IN_PROGRESS: gettext_lazy("Being handled"),
    Status.ON_HOLD: gettext_lazy("Paused — waiting for information"),
    Status.RESOLVED: gettext_lazy("Handled — please tell us if you are satisfied"),
    Status.CONFIRMED: gettext_lazy("You confirmed the result"),
    Status.CLOSED: gettext_lazy("Finished"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn"),
}


def _case_list_url(slug: str) -> str:
    try:
        base = reverse("cases:list")
    except NoReverseMatch:  # the case list page is not installed
        base = "/cases/"
    return f"{base}?{urlencode({'queue': slug})}"


def case_url(case: Case, *, page: str = "cases:detail") -> str:
    try:
        return reverse(page, args=[case.code])
    except NoReverseMatch:  # that page is not installed
        return ""


@dataclass
class CaseRow:
    case: Case
    url: str
    status_text: str


@dataclass
class QueueSummary:
    slug: str
    label: str
    help: str
    count: int
    href: str
    preview: list[CaseRow] = field(default_factory=list)


@dataclass
class Section:
    role: str
    role_label: str
    units: list[str]
    queues: list[QueueSummary] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)  # the resident's own cases
    open_count: int = 0

    @property
    def kind(self) -> str:
        if self.role == RESIDENT:
            return "resident"
        if self.role == Role.ADMINISTRATOR:
            return "admin"
        if self.role == Role.SECURITY_OFFICER:
            return "security"  # no case: the roles waiting for approval (fengqiao.org.views)
        return "queues"

    waiting: int = 0  # distinct cases in this role's action queues (a case in two queues counts once)


# Queues that give an overview rather than ask for action: they do not count as "waiting".
OVERVIEW_QUEUES = frozenset({"all", "all_open", "my_reports"})


def _any_of(user, slugs: list[str], now) -> Q:
    q = Q(pk__in=[])
    for slug in slugs:
        q |= QUEUES[slug].filter(user, now)
    return q


def _staff_sections(user, roles: frozenset[str], now) -> list[Section]:
    memberships = Membership.objects.filter(user=user, is_active=True, unit__is_active=True).select_related("unit")
    units_by_role: dict[str, list[str]] = {}
    for m in memberships:
        units_by_role.setdefault(m.role, []).append(m.unit.name)
    sections = []
    for role in [r for r in Role.values if r in roles]:
        summaries = []
        for slug in ROLE_QUEUES.get(role, []):
            qs = queue_cases(user, slug, now)
            preview = list(qs.select_related("region", "holder_unit").order_by("due_at", "-submitted_at")[:PREVIEW])
            summaries.append(
                QueueSummary(
                    slug=slug,
                    label=str(QUEUES[slug].label),
                    help=str(QUEUES[slug].help),
                    count=qs.count(),
                    href=_case_list_url(slug),
                    preview=[CaseRow(c, case_url(c), str(c.get_status_display())) for c in preview],
                )
            )
        action_slugs = [q.slug for q in summaries if q.slug not in OVERVIEW_QUEUES]
        waiting = 0
        if action_slugs:
            waiting = Case.objects.visible_to(user).filter(_any_of(user, action_slugs, now)).count()
        sections.append(
            Section(
                role=role,
                role_label=str(Role(role).label),
                units=units_by_role.get(role, []),
                queues=summaries,
                waiting=waiting,
            )
        )
    return sections


def _resident_section(user) -> Section:
    own = Case.objects.filter(applicant_user=user).order_by("-submitted_at")
    rows = [
        # The resident follows a case on the public tracking page, where they can also add to it or confirm it.
        CaseRow(c, case_url(c, page="intake:track_case"), str(RESIDENT_STATUS.get(c.status, c.get_status_display())))
        for c in own.select_related("region")[:RESIDENT_LIMIT]
    ]
    return Section(
        role=RESIDENT,
        role_label=_("My cases"),
        units=[],
        cases=rows,
        open_count=own.filter(status__in=OPEN_STATES).count(),
    )


def home_sections(user) -> list[Section]:
    """The sections of the home page, most specific first. Empty for a member with no active role."""
    scope = scope_for(user)
    sections = _staff_sections(user, scope.roles, timezone.now())
    if user.is_superuser and Role.ADMINISTRATOR not in scope.roles:
        sections.insert(0, Section(role=Role.ADMINISTRATOR, role_label=str(Role.ADMINISTRATOR.label), units=[]))
    if not sections and not Membership.objects.filter(user=user).exists():
        sections.append(_resident_section(user))
    return sections
