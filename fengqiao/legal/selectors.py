"""Reads of the legal routes, each scoped by the one access rule (fengqiao.org.access): outside scope, nothing."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fengqiao.cases.models import Case
from fengqiao.legal.linkages import member_units
from fengqiao.legal.models import ConfirmationApplication, Linkage, Referral
from fengqiao.legal.rules import LIVE_STATUSES
from fengqiao.legal.services import clerk_court_ids
from fengqiao.mediation.casework import mediations_visible_to
from fengqiao.mediation.models import Agreement
from fengqiao.org.access import scope_for


def staff_cases(user) -> QuerySet[Case]:
    """The cases `user` sees as staff (through a unit grant); a resident's own cases do not count here."""
    scope = scope_for(user)
    if not scope.unit_ids and not scope.region_ids:
        return Case.objects.none()
    return Case.objects.visible_to(user)


def applications_visible_to(user) -> QuerySet[ConfirmationApplication]:
    """A court clerk sees the applications to their court; staff see those on the cases they see."""
    q = Q(case__in=staff_cases(user).values("pk"))
    courts = clerk_court_ids(user)
    if courts:
        q |= Q(court_id__in=courts)
    return (ConfirmationApplication.objects.filter(q)
            .select_related("agreement", "court", "case", "filed_by").order_by("-filed_at"))


def ready_agreements(user) -> QuerySet[Agreement]:
    """Agreements in effect on the user's mediations with no live application: ready to be filed."""
    return (Agreement.objects.filter(status=Agreement.Status.EFFECTIVE, mediation__in=mediations_visible_to(user))
            .exclude(confirmation_applications__status__in=LIVE_STATUSES)
            .select_related("mediation__case", "mediation__unit").order_by("effective_at"))


def _unit_q(user, *, fields: tuple[str, ...]) -> Q:
    units = member_units(user) | scope_for(user).unit_ids
    q = Q(case__in=staff_cases(user).values("pk"))
    for f in fields:
        q |= Q(**{f"{f}__in": units})
    return q


def linkages_visible_to(user) -> QuerySet[Linkage]:
    return (Linkage.objects.filter(_unit_q(user, fields=("to_unit_id", "from_unit_id")))
            .select_related("case", "from_unit", "to_unit", "mediation").order_by("-sent_at"))


def referrals_visible_to(user) -> QuerySet[Referral]:
    return (Referral.objects.filter(_unit_q(user, fields=("to_unit_id",)))
            .select_related("case", "from_unit", "to_unit").order_by("-sent_at"))
