"""Tracking a case by its code and the last four digits of the applicant's phone.

A match is remembered in the session for that case code only; the signed-in applicant
needs no digits. What the resident sees is the public part of the case, never internal
notes or reads of personal data.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Attachment, Case, CaseEvent, Party
from fengqiao.cases.workflow import Action

SESSION_KEY = "fq_tracked_cases"
MAX_REMEMBERED = 20
HIDDEN_ACTIONS = frozenset({Action.PII_REVEAL})

# What each public step is called for the resident (the office names stay on the workbench).
RESIDENT_ACTION_LABELS = {
    Action.SUBMIT: _("Demand received"),
    Action.ACCEPT: _("Accepted"),
    Action.REJECT: _("Not taken on"),
    Action.MERGE: _("Joined with a case about the same matter"),
    Action.DISPATCH: _("Sent to the unit that handles it"),
    Action.REDISPATCH: _("Sent to another unit"),
    Action.RETURN: _("Being passed to the right unit"),
    Action.RETURN_REFUSE: _("Sent back to the unit"),
    Action.SIGN: _("The unit has taken it on"),
    Action.START: _("Work has started"),
    Action.PROGRESS: _("Progress"),
    Action.ESCALATE: _("Handed to a higher level"),
    Action.SUPERVISE: _("Supervised by the centre"),
    Action.HOLD: _("Paused"),
    Action.RESUME: _("Work resumed"),
    Action.WITHDRAW: _("Withdrawn"),
    Action.RESOLVE: _("Result"),
    Action.CONFIRM: _("Result confirmed"),
    Action.REOPEN: _("Reopened: not solved"),
    Action.CLOSE: _("Finished"),
    Action.NOTE: _("Update"),
    Action.ASSIST: _("Another unit helps"),
}


def find_case(code: str, digits: str) -> Case | None:
    """The case with this code whose applicant's phone ends with these four digits, else None (either part wrong)."""
    if len(digits) != 4 or not digits.isdigit():
        return None
    case = Case.objects.filter(code=code.strip().upper()).first()
    if case is None:
        return None
    matches = Party.objects.filter(case=case, role=Party.PartyRole.APPLICANT, phone__endswith=digits).exists()
    return case if matches else None


def remember(session, code: str) -> None:
    codes = [c for c in session.get(SESSION_KEY, []) if c != code]
    session[SESSION_KEY] = [*codes, code][-MAX_REMEMBERED:]


def is_remembered(session, code: str) -> bool:
    return code in session.get(SESSION_KEY, [])


def may_track(request, case: Case) -> bool:
    """The session verified this code, or the signed-in user raised the case."""
    user = request.user
    return is_remembered(request.session, case.code) or (user.is_authenticated and user.pk == case.applicant_user_id)


def resident_actor(request, case: Case):
    """Who acts on the case from the tracking page: the signed-in applicant, else the verified (anonymous) resident."""
    user = request.user
    return user if user.is_authenticated and user.pk == case.applicant_user_id else None


def public_events(case: Case) -> list[CaseEvent]:
    """The public timeline, each event with `label`: what the step is called for the resident."""
    events = list(
        CaseEvent.objects.filter(case=case, is_public=True).exclude(action__in=HIDDEN_ACTIONS)
        .select_related("actor_unit").order_by("seq")
    )
    for event in events:
        event.label = (_("What you added") if event.adds_information
                       else RESIDENT_ACTION_LABELS.get(event.action) or event.get_action_display())
    return events


def public_attachments(case: Case):
    return Attachment.objects.filter(case=case, is_public=True).order_by("uploaded_at")
