"""`{{ item|reason }}`, `{{ items|reasons }}`: stored reasons (fengqiao.core.reasons) in the reader's language.

Plain text stored before reasons were messages (a case's old grade reasons) is shown as it is."""

from __future__ import annotations

from django import template

from fengqiao.core.reasons import render, render_all

register = template.Library()


@register.filter
def reason(item) -> str:
    """One stored reason in the reader's language."""
    return render(item)


@register.filter
def reasons(items, separator: str = "；") -> str:
    """Stored reasons in the reader's language, joined."""
    return separator.join(render_all(items))
