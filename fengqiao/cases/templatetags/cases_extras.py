from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from fengqiao.core.templatetags.fq import due_badge

register = template.Library()


@register.simple_tag
def deadline(case, now):
    """Time left on the current step of an open case ("已超期2小时" / "剩余35分钟"); a dash otherwise."""
    badge = due_badge(case.due_at, now) if case.is_open else ""
    return badge or mark_safe('<span class="muted">—</span>')


@register.filter
def status_label(value: str) -> str:
    """The translated label of a status value stored on the timeline."""
    from fengqiao.cases.workflow import Status

    return str(Status(value).label) if value in Status.values else value
