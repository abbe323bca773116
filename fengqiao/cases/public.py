"""What the public sees of a case's timeline: one decision per action, used by every public page.

Staff see every line with its reason (`CaseEvent.title`, the case page). The resident who raised the
case — on the tracking page, on their own case page — sees each step in plain words: who has it now
("Sent to 光明区人力资源局"), and only the words written *for* them (a progress report, the result, the
reason a demand is not taken on, a message from staff) or written *by* them (what they added, why they
withdrew or reopened it). Routing notes with rule references, model evidence, return and escalation
reasons, deadlines, grades, assignments and reads of personal data never reach a public page.

`PUBLIC_STEPS` says this for every action of `fengqiao.cases.workflow.Action` (a test keeps it complete);
`public_timeline(case)` is the one function the templates use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.workflow import STEP_ACTIONS, Action
from fengqiao.org.models import OrgUnit


class Words(Enum):
    """Which written words of a timeline line the public sees."""

    NONE = "none"  # the step only: its reason is the staff's business
    FOR_RESIDENT = "for_resident"  # staff wrote them to the resident (progress, result, refusal, public message)
    RESIDENT_OWN = "resident_own"  # shown only when the resident wrote them (withdraw, reopen)


@dataclass(frozen=True)
class Step:
    """How one action reads on a public page; `label` may name a unit (%(unit)s); `None` = never shown."""

    label: Promise
    words: Words = Words.NONE
    unit: str = "actor"  # which unit %(unit)s / the "by" line names: "actor", "to_unit", "unit" (data) or ""
    own_label: Promise | None = None  # the label when the resident did it themselves


PUBLIC_STEPS: dict[str, Step | None] = {
    Action.SUBMIT: Step(_("Demand received")),
    Action.ACCEPT: Step(_("Accepted")),
    Action.REJECT: Step(_("Not taken on"), Words.FOR_RESIDENT),
    Action.MERGE: Step(_("Joined with a case about the same matter"), unit=""),
    Action.DISPATCH: Step(_("Sent to %(unit)s"), unit="to_unit"),
    Action.REDISPATCH: Step(_("Passed on to %(unit)s"), unit="to_unit"),
    Action.RETURN: Step(_("Being passed to the right unit"), unit=""),
    Action.RETURN_REFUSE: Step(_("Sent back to %(unit)s to handle"), unit="unjustified_return_by"),
    Action.SIGN: Step(_("Taken on by %(unit)s")),
    Action.START: Step(_("Work has started")),
    Action.PROGRESS: Step(_("Progress"), Words.FOR_RESIDENT),
    Action.EXTENSION_REQUEST: None,
    Action.EXTENSION_DECIDE: None,
    Action.ESCALATE: Step(_("Handed up to %(unit)s"), unit="to_unit"),
    Action.SUPERVISE: Step(_("Supervised by the centre"), unit=""),
    Action.HOLD: Step(_("Paused")),
    Action.RESUME: Step(_("Work resumed")),
    Action.WITHDRAW: Step(_("Withdrawn"), Words.RESIDENT_OWN, own_label=_("You withdrew your demand")),
    Action.RESOLVE: Step(_("Result"), Words.FOR_RESIDENT),
    Action.CONFIRM: Step(_("Result confirmed"), own_label=_("You confirmed the result")),
    Action.REOPEN: Step(_("Reopened: not solved"), Words.RESIDENT_OWN, own_label=_("You asked for it to be handled again")),
    Action.CLOSE: Step(_("Finished")),
    Action.ASSIGN: None,  # names a member of staff
    Action.ASSIST: Step(_("%(unit)s helps too"), unit="unit"),
    Action.NOTE: Step(_("A message for you"), Words.FOR_RESIDENT),  # only public notes; see public_entry
    Action.PII_REVEAL: None,
    Action.REGRADE: None,
    Action.DEADLINE_REMINDER: None,
    Action.DEADLINE_OVERDUE: None,
    Action.DEADLINE_ESCALATED: None,
    # Procedure steps say themselves what the resident reads (data["public"], see `case_record_step`).
    Action.MEDIATE: Step(_("Mediation")),
    Action.LEGAL: Step(_("Legal route")),
    Action.PETITION: Step(_("Petition procedure")),
    Action.COMMAND: Step(_("Departments called to the scene")),
}
ADDED_INFORMATION = Step(_("What you added"), Words.RESIDENT_OWN, unit="")
FILE_ADDED = Step(_("File added"), own_label=_("You added a file"))
# A step that names its unit, when the unit is not known.
FALLBACK_LABELS: dict[str, Promise] = {
    Action.DISPATCH: _("Sent to the unit that handles it"),
    Action.REDISPATCH: _("Sent to another unit"),
    Action.RETURN_REFUSE: _("Sent back to the unit"),
    Action.SIGN: _("The unit has taken it on"),
    Action.ESCALATE: _("Handed to a higher level"),
    Action.ASSIST: _("Another unit helps"),
}


@dataclass(frozen=True)
class PublicEntry:
    """One line of the public timeline."""

    action: str
    at: object
    label: str
    text: str = ""  # the words shown under the label ("" = none)
    unit: str = ""  # the unit named beside the label ("" = none)
    by_resident: bool = False


def _by_resident(event: CaseEvent, case: Case) -> bool:
    if event.by_resident:
        return True
    if event.actor_id is None:  # the platform records no withdrawals, confirmations or reopenings itself
        return event.action in (Action.WITHDRAW, Action.CONFIRM, Action.REOPEN)
    return event.actor_id == case.applicant_user_id


def _step(event: CaseEvent) -> Step | None:
    if event.adds_information:
        return ADDED_INFORMATION
    if event.action == Action.NOTE and (event.data or {}).get("attachment"):
        return FILE_ADDED
    return PUBLIC_STEPS.get(event.action)


def public_entry(event: CaseEvent, case: Case, units: dict[int, OrgUnit] | None = None) -> PublicEntry | None:
    """What the public sees of `event` (a line of `case`'s timeline), or None when it is not theirs to see.

    `units`: the units the line names by id (data["to_unit"] …), loaded once for a whole timeline.
    """
    if not event.is_public:
        return None
    if event.action in STEP_ACTIONS:
        return _procedure_entry(event)
    step = _step(event)
    if step is None:
        return None
    mine = _by_resident(event, case)
    if step.unit == "actor":
        unit = event.actor_unit.name if event.actor_unit_id and event.actor_unit else ""
    elif step.unit:
        unit_id = (event.data or {}).get(step.unit)
        found = (units or {}).get(unit_id) if unit_id else None
        if found is None and unit_id:
            found = OrgUnit.objects.filter(pk=unit_id).first()
        unit = found.name if found else ""
    else:
        unit = ""
    template = step.own_label if mine and step.own_label is not None else step.label
    label = str(template)
    if "%(unit)s" in label:
        # A step that names its unit shows it in the label; without a name it falls back to the plain step.
        label = label % {"unit": unit} if unit else str(FALLBACK_LABELS.get(event.action, template))
        shown_unit = ""
    else:
        shown_unit = "" if mine else unit
    shows_words = step.words is Words.FOR_RESIDENT or (step.words is Words.RESIDENT_OWN and mine)
    text = event.reason.strip() if shows_words else ""
    return PublicEntry(action=event.action, at=event.at, label=label, text=text, unit=shown_unit,
                       by_resident=mine)


def _procedure_entry(event: CaseEvent) -> PublicEntry | None:
    """A mediation, legal-route or petition step: the words its service chose for the resident, if any."""
    data = event.data or {}
    message = data.get("public")
    if not message:
        return None
    args = data.get("public_args") or {}
    label = gettext(message) % args if args else gettext(message)
    text = event.reason.strip() if data.get("public_words") else ""
    return PublicEntry(action=event.action, at=event.at, label=label, text=text,
                       unit=event.actor_unit.name if event.actor_unit_id and event.actor_unit else "")


UNIT_KEYS = ("to_unit", "unit", "unjustified_return_by")


def public_entries(events: Iterable[CaseEvent], case: Case) -> list[PublicEntry]:
    """`public_entry` over a timeline (in order), with the units it names loaded in one query."""
    events = list(events)
    ids = {(e.data or {}).get(key) for e in events for key in UNIT_KEYS} - {None}
    units = OrgUnit.objects.in_bulk([i for i in ids if isinstance(i, int)]) if ids else {}
    return [entry for e in events if (entry := public_entry(e, case, units)) is not None]


def public_timeline(case: Case) -> list[PublicEntry]:
    """The public timeline of `case`, oldest first: what the tracking page and the resident's case page show."""
    events = CaseEvent.objects.filter(case=case, is_public=True).select_related("actor_unit").order_by("seq")
    return public_entries(events, case)
