"""Reads for the leaders' page and the case panel."""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from fengqiao.cases.models import CaseEvent
from fengqiao.leadership.models import DutyShift, Ownership


def owned_by(leader) -> QuerySet[Ownership]:
    """The leader's cases, with how often and when they last supervised each (督办)."""
    mine = Q(case__events__action="supervise", case__events__actor=leader)
    last_reason = (CaseEvent.objects.filter(case=OuterRef("case"), action="supervise", actor=leader)
                   .order_by("-at").values("reason")[:1])
    return (Ownership.objects.filter(leader=leader, released_at__isnull=True)
            .select_related("case__holder_unit", "case__region")
            .annotate(supervisions=Count("case__events", filter=mine), last_supervised=Max("case__events__at",
                                                                                           filter=mine),
                      last_instruction=Subquery(last_reason))
            .order_by("case__due_at", "taken_at"))


def shifts_of(leader) -> QuerySet[DutyShift]:
    return DutyShift.objects.filter(leader=leader).select_related("service_point").prefetch_related("cases")


def current_owner(case) -> Ownership | None:
    return Ownership.objects.filter(case=case, released_at__isnull=True).select_related("leader", "unit").first()
