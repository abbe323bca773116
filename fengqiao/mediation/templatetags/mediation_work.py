"""The case page's link into the mediation workspace: its open mediation, or "open a mediation" for a mediator of
the committee holding a dispute (fengqiao.mediation.casework decides)."""

from __future__ import annotations

from django import template

from fengqiao.mediation import casework as cw
from fengqiao.mediation.models import Mediation
from fengqiao.org.access import Capability, may

register = template.Library()


@register.inclusion_tag("mediation/work/_case_link.html", takes_context=True)
def mediation_case_link(context, case) -> dict:
    user = context["request"].user
    if not may(user, Capability.CASE_MEDIATE, case):
        return {"show": False}
    visible = cw.mediations_visible_to(user).filter(case=case)
    current = visible.filter(status=Mediation.Status.OPEN).first() or visible.order_by("-opened_at").first()
    return {"show": True, "case": case, "mediation": current,
            "can_open": cw.open_refusal(user, case) is None}
