"""Who may see and do what: the one rule every query and action goes through.

- Staff see the cases of their units; members of a centre also see the cases of
  the units below it and of the regions it serves. Never beyond.
- Grid workers and volunteers see what they reported; residents see their own cases.
- The auditor reads everything under their unit (a district auditor: the whole district) and
  changes nothing. The administrator keeps the
  organisation and the rules but reads no case (separation of duties, MLPS level 3); the security
  officer approves the roles others ask for and reads no case either (fengqiao.org.duties).
- Someone with no membership and no case of their own sees nothing.

`scope_for(user)` turns memberships into plain sets once per request;
`Case.objects.visible_to(user)` and `may(user, capability, case)` use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q

from fengqiao.org.models import Membership, OrgUnit, Region, Role
from fengqiao.org.rules import CENTRE_KINDS

if TYPE_CHECKING:
    from fengqiao.cases.models import Case


class Capability(StrEnum):
    CASE_VIEW = "case.view"
    CASE_INTAKE = "case.intake"  # take in a demand for a resident
    CASE_REVIEW = "case.review"  # accept, reject, merge
    CASE_DISPATCH = "case.dispatch"  # dispatch, re-dispatch, escalate, supervise
    CASE_HANDLE = "case.handle"  # sign for, return, progress, resolve, ask for extension
    CASE_MEDIATE = "case.mediate"
    CASE_JUDICIAL = "case.judicial"  # record a court's ruling on judicial confirmation
    CASE_REPORT = "case.report"  # grid worker / volunteer leads
    CASE_OWN = "case.own"  # leader owns major cases (包案)
    CASE_PETITION = "case.petition"  # formal petitions (信访): register, decide, reply (petition office members)
    CASE_NOTE = "case.note"  # write on a case without moving it: an internal note, a file (viewing is never enough)
    PII_REVEAL = "pii.reveal"
    PII_EXPORT = "pii.export"  # download a document or file holding personal data (recorded: fengqiao.privacy)
    PII_REQUEST = "pii.request"  # answer residents' requests to see or delete their data (fengqiao.privacy)
    ORG_ADMIN = "org.admin"
    AUDIT_READ = "audit.read"
    GRANT_REQUEST = "grant.request"  # ask for a role for someone else (never for oneself)
    GRANT_APPROVE = "grant.approve"  # approve or refuse what someone else asked (the second person)


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.STATION_STAFF: frozenset({C.CASE_VIEW, C.CASE_INTAKE, C.CASE_NOTE}),
    Role.OPERATOR: frozenset({C.CASE_VIEW, C.CASE_INTAKE, C.CASE_REVIEW, C.CASE_DISPATCH, C.CASE_NOTE, C.PII_REVEAL}),
    Role.HANDLER: frozenset({C.CASE_VIEW, C.CASE_HANDLE, C.CASE_NOTE, C.PII_REVEAL}),
    Role.MEDIATOR: frozenset({C.CASE_VIEW, C.CASE_MEDIATE, C.CASE_HANDLE, C.CASE_NOTE, C.PII_REVEAL}),
    Role.COURT_CLERK: frozenset({C.CASE_VIEW, C.CASE_JUDICIAL, C.CASE_NOTE}),
    Role.LEADER: frozenset({C.CASE_VIEW, C.CASE_OWN, C.CASE_DISPATCH, C.CASE_NOTE}),
    Role.GRID_WORKER: frozenset({C.CASE_REPORT}),
    Role.VOLUNTEER: frozenset({C.CASE_REPORT}),
    # The three duties (三员分立): none of them may write on a case.
    Role.ADMINISTRATOR: frozenset({C.ORG_ADMIN, C.GRANT_REQUEST}),
    Role.SECURITY_OFFICER: frozenset({C.GRANT_REQUEST, C.GRANT_APPROVE}),
    Role.AUDITOR: frozenset({C.CASE_VIEW, C.AUDIT_READ}),
}
# Personal information (fengqiao.privacy): who may export documents holding personal data (every export is
# recorded with its purpose), and who answers residents' requests (the centre operators).
for _role, _extra in {Role.OPERATOR: {C.PII_EXPORT, C.PII_REQUEST}, Role.HANDLER: {C.PII_EXPORT},
                      Role.MEDIATOR: {C.PII_EXPORT}, Role.COURT_CLERK: {C.PII_EXPORT}}.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | frozenset(_extra)
# Capabilities that only read: a role holding nothing else changes nothing (the auditor).
READ_ONLY_CAPABILITIES = frozenset({C.CASE_VIEW, C.AUDIT_READ})

# Roles whose members see their units' cases (the others see only their own reports).
UNIT_WIDE_ROLES = frozenset(
    {Role.STATION_STAFF, Role.OPERATOR, Role.HANDLER, Role.MEDIATOR, Role.COURT_CLERK, Role.LEADER, Role.AUDITOR}
)


@dataclass(frozen=True)
class Grant:
    """One membership resolved to plain ids: what this role may do, and over which cases."""

    role: str
    unit_id: int
    capabilities: frozenset[Capability]
    unit_ids: frozenset[int]  # cases held by these units
    region_ids: frozenset[int]  # cases placed in these regions (centres only)


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset().union(*(g.unit_ids for g in self.grants if g.role in UNIT_WIDE_ROLES))

    @property
    def region_ids(self) -> frozenset[int]:
        return frozenset().union(*(g.region_ids for g in self.grants if g.role in UNIT_WIDE_ROLES))

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset().union(*(g.capabilities for g in self.grants))

    def case_filter(self) -> Q:
        """The Q that selects exactly the cases this scope may see."""
        if self.user_id is None:
            return Q(pk__in=[])
        q = Q(applicant_user_id=self.user_id) | Q(reporter_id=self.user_id)
        if self.unit_ids:
            from fengqiao.cases.models import Assignment  # here: fengqiao.cases.models imports this module

            # Held by one of the units, or one of them is an active assisting unit (as in case_in_grant):
            # a unit the case was re-dispatched away from no longer sees it.
            q |= Q(holder_unit_id__in=self.unit_ids) | Q(
                assignments__unit_id__in=self.unit_ids,
                assignments__role=Assignment.Role.ASSIST,
                assignments__is_active=True,
            )
        if self.region_ids:
            q |= Q(region_id__in=self.region_ids)
        return q


def _grant(membership: Membership) -> Grant:
    unit: OrgUnit = membership.unit
    if unit.kind in CENTRE_KINDS:
        unit_ids = frozenset(OrgUnit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))
        region_ids = frozenset(Region.objects.filter(path__startswith=unit.region.path).values_list("id", flat=True))
    else:
        unit_ids, region_ids = frozenset({unit.pk}), frozenset()
    return Grant(
        role=membership.role,
        unit_id=unit.pk,
        capabilities=ROLE_CAPABILITIES.get(membership.role, frozenset()),
        unit_ids=unit_ids,
        region_ids=region_ids,
    )


# Members of a petition office (信访局) work the formal petitions of the region it serves: they see its cases and may
# register them as petitions (fengqiao.petitions); every other capability stays with their own unit.
PETITION_ROLES = frozenset({Role.HANDLER, Role.LEADER})


def _petition_grant(membership: Membership) -> Grant | None:
    from fengqiao.org.models import UnitKind

    unit: OrgUnit = membership.unit
    if unit.kind != UnitKind.PETITION_OFFICE or membership.role not in PETITION_ROLES:
        return None
    return Grant(
        role=membership.role,
        unit_id=unit.pk,
        capabilities=frozenset({Capability.CASE_VIEW, Capability.CASE_PETITION, Capability.CASE_NOTE}),
        unit_ids=frozenset({unit.pk}),
        region_ids=frozenset(Region.objects.filter(path__startswith=unit.region.path).values_list("id", flat=True)),
    )


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None)
    cached = getattr(user, "_fq_scope", None)
    if cached is not None:
        return cached
    memberships = Membership.objects.filter(user=user, is_active=True, unit__is_active=True).select_related(
        "unit", "unit__region"
    )
    grants = tuple(g for m in memberships for g in (_grant(m), _petition_grant(m)) if g is not None)
    scope = Scope(user_id=user.pk, grants=grants)
    user._fq_scope = scope
    return scope


def case_in_grant(grant: Grant, case: Case) -> bool:
    if grant.role not in UNIT_WIDE_ROLES:
        return False
    if case.holder_unit_id in grant.unit_ids or case.region_id in grant.region_ids:
        return True
    return any(unit_id in grant.unit_ids for unit_id in case.assisting_unit_ids())


def may(user, capability: Capability, case: Case | None = None) -> bool:
    """May `user` exercise `capability`, on `case` when one is given?

    With a case, the capability must come from a membership whose scope covers
    that case: an operator of one community cannot dispatch another's case.
    """
    scope = scope_for(user)
    if case is None:
        return capability in scope.capabilities
    own = scope.user_id is not None and scope.user_id in (case.applicant_user_id, case.reporter_id)
    if capability == Capability.CASE_VIEW and own:
        return True
    return any(capability in g.capabilities and case_in_grant(g, case) for g in scope.grants)


def may_work_on(user, case: Case) -> bool:
    """Does the user see `case` as staff (through a unit grant, or as auditor) rather than as its resident?"""
    scope = scope_for(user)
    return any(
        Capability.CASE_VIEW in g.capabilities and case_in_grant(g, case) for g in scope.grants
    )
