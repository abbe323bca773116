from __future__ import annotations

from django import template

from fengqiao.sla.display import deadline_state

register = template.Library()


@register.inclusion_tag("cases/_deadline.html")
def deadline(case, now):
    """Time left on the current step, coloured red / yellow / green (with text, not colour alone)."""
    return {"state": deadline_state(case.due_at if case.is_open else None, now)}
