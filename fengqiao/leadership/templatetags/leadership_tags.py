"""`{% ownership_panel case %}` on the case page: which leader owns it, and "take this case" for a leader who may."""

from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("leadership/_case_panel.html", takes_context=True)
def ownership_panel(context, case) -> dict:
    from fengqiao.cases.workflow import OPEN_STATES
    from fengqiao.leadership import rules
    from fengqiao.leadership.selectors import current_owner
    from fengqiao.org.access import Capability, may

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    owner = current_owner(case)
    can_take = (owner is None and case.status in OPEN_STATES and may(user, Capability.CASE_OWN, case)
                and rules.ownership_basis(grade=case.grade, submitted_at=case.submitted_at, now=timezone.now())
                is not None)
    return {"show": owner is not None or can_take, "owner": owner, "can_take": can_take, "case": case,
            "csrf_token": context.get("csrf_token"), "basis_labels": rules.Basis.LABELS}


@register.inclusion_tag("leadership/_home_panel.html", takes_context=True)
def owned_cases_panel(context) -> dict:
    """A leader's home page: the cases they own (包案), soonest deadline first, with their supervision."""
    from fengqiao.leadership.selectors import owned_by

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"owned": []}
    return {"owned": list(owned_by(user)[:8]), "now": timezone.now()}
