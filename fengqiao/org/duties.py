"""Separation of duties (三员分立, MLPS level 3): who may give a role to whom, as plain functions (no database).

- Three duties, held by three different people who hold no other role: the system administrator (users, units,
  settings; reads no case), the security officer (approves roles, keeps keys; reads no case) and the auditor
  (reads the cases and the audit trails; changes nothing).
- Nobody gives a role to themselves, in any way (the administration, a service, a command).
- A role a person asks for someone takes effect only when a second person approves it: a security officer who is
  neither the one who asked nor the one who receives it. Every role a person gives is such a request (the
  administrator role too: it changes the organisation everyone's scope is computed from).
- Only set-ups run by the platform itself (the demo, the tests, the loaders, `create_api_key` at the server's
  shell) give a role without a request; each is recorded as such ("seeded"), with what set it up.

The write path is fengqiao.org.grants; every request, approval, refusal, revocation, set-up and refused attempt is a
line of the append-only `GrantRecord`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from fengqiao.org.access import ROLE_CAPABILITIES, Capability
from fengqiao.org.models import Role

DUTY_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_OFFICER, Role.AUDITOR})


def needs_second_person(role: str) -> bool:
    """Does a role asked by a person need a second person's approval? Every role does (see the module text)."""
    return role in ROLE_CAPABILITIES


def gives_case_access(role: str) -> bool:
    """Does the role carry any capability on cases or personal data (what the issue calls a case-access grant)?"""
    return any(str(c).startswith(("case.", "pii.")) for c in ROLE_CAPABILITIES.get(role, frozenset()))


def duty_conflict(*, role: str, held: Iterable[str]) -> str | None:
    """Why a person who holds the roles `held` may not also hold `role`, or None."""
    others = {r for r in held if r != role}
    if not others:
        return None
    if role in DUTY_ROLES:
        return _(
            "The %(duty)s holds no other role, and this person already holds: %(roles)s. The three duties "
            "(system administrator, security officer, auditor) are held by different people."
        ) % {"duty": Role(role).label, "roles": "、".join(sorted(str(Role(r).label) for r in others))}
    duties = sorted(str(Role(r).label) for r in others if r in DUTY_ROLES)
    if duties:
        return _(
            "This person holds the duty of %(duty)s, which goes with no other role. The three duties "
            "(system administrator, security officer, auditor) are held by different people."
        ) % {"duty": "、".join(duties)}
    return None


def request_error(
    *, actor_id: int | None, subject_id: int, actor_capabilities: Iterable[str], role: str, held: Iterable[str]
) -> str | None:
    """Why `actor` may not ask for `role` for `subject`, or None when the request may be made."""
    if actor_id is not None and actor_id == subject_id:
        return _("Nobody can give a role to themselves. Ask another administrator or security officer.")
    if Capability.GRANT_REQUEST not in set(actor_capabilities):
        return _("Only the system administrator or a security officer may ask for a role for someone.")
    if role not in ROLE_CAPABILITIES:
        return _("Unknown role “%(role)s”.") % {"role": role}
    return duty_conflict(role=role, held=held)


def approval_error(
    *, approver_id: int, requester_id: int, subject_id: int, approver_capabilities: Iterable[str]
) -> str | None:
    """Why `approver` may not approve (or refuse) the request, or None: the second person must be a different one."""
    if Capability.GRANT_APPROVE not in set(approver_capabilities):
        return _("Only a security officer may approve or refuse a role.")
    if approver_id == subject_id:
        return _("Nobody can approve a role for themselves.")
    if approver_id == requester_id:
        return _("The person who asked for a role cannot also approve it: a second security officer must.")
    return None


def revoke_error(*, actor_capabilities: Iterable[str]) -> str | None:
    """Why `actor` may not take a role away, or None. Taking a role away needs no second person (it only narrows)."""
    if not {Capability.GRANT_REQUEST, Capability.GRANT_APPROVE} & set(actor_capabilities):
        return _("Only the system administrator or a security officer may take a role away.")
    return None
