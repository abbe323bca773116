from __future__ import annotations

from django import template

from fengqiao.core.templatetags.reasons import reason, reasons
from fengqiao.triage.selectors import panel

register = template.Library()


@register.simple_tag(takes_context=True)
def triage_panel_data(context) -> dict:
    """The data of the triage panel for the case on the page (fengqiao.triage.selectors.panel)."""
    request = context["request"]
    return panel(context["case"], request.user, errors=getattr(request, "triage_errors", None))


@register.filter
def percent(value) -> str:
    """0.873 → “87%”."""
    try:
        return f"{round(float(value) * 100)}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key) or []


# stored reasons in the reader's language (fengqiao.core.reasons), as in {% load reasons %}
register.filter("reason", reason)
register.filter("reasons", reasons)
