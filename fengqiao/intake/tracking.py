"""Tracking a case by its code and the last four digits of the applicant's phone.

A match is remembered in the session for that case code only; the signed-in applicant
needs no digits. What the resident sees is the public part of the case, never internal
notes or reads of personal data.
"""

from __future__ import annotations

from fengqiao.cases.models import Attachment, Case, Party

SESSION_KEY = "fq_tracked_cases"
MAX_REMEMBERED = 20


def find_case(code: str, digits: str) -> Case | None:
    """The case with this code whose applicant's phone ends with these four digits, else None (either part wrong)."""
    if len(digits) != 4 or not digits.isdigit():
        return None
    case = Case.objects.filter(code=code.strip().upper()).first()
    if case is None:
        return None
    matches = Party.objects.filter(case=case, role=Party.PartyRole.APPLICANT, phone__endswith=digits).exists()
    return case if matches else None


def how_to_follow(case: Case) -> str:
    """How the resident can follow `case` later: "phone" (code + last four digits, any device), "account"
    (signed in, under My demands), or "browser" (no phone, no account: only the session that sent it)."""
    if Party.objects.filter(case=case, role=Party.PartyRole.APPLICANT).exclude(phone="").exists():
        return "phone"
    return "account" if case.applicant_user_id else "browser"


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


def public_attachments(case: Case):
    return Attachment.objects.filter(case=case, is_public=True).order_by("uploaded_at")
