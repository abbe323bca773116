"""`{% radar_panel %}` on a leader's home page: the warnings not closed in their scope, most severe first."""

from __future__ import annotations

from django import template

register = template.Library()

PANEL_SIZE = 5


@register.inclusion_tag("warnings/_home_panel.html", takes_context=True)
def radar_panel(context) -> dict:
    from fengqiao.warnings import selectors as sel
    from fengqiao.warnings.models import State

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not sel.may_use_radar(user):
        return {"show": False}
    qs = sel.visible_warnings(user).exclude(state=State.CLOSED)
    return {"show": True, "warnings": list(sel.ordered(qs).select_related("place")[:PANEL_SIZE]), "total": qs.count()}
