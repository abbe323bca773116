"""Template helpers for the staff shell: time left on a deadline, grade badges, optional links."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fengqiao.sla.display import TimeLeft, span_text, time_left

__all__ = ["TimeLeft", "due_badge", "span_text", "time_left"]

register = template.Library()


@register.simple_tag
def due_badge(due: datetime | None, now: datetime | None = None) -> str:
    """`<span class="due due-overdue">overdue by 2 h</span>`; the words carry the meaning, the colour repeats it."""
    left = time_left(due, now or timezone.now())
    if left is None:
        return ""
    icon = "⚠" if left.state == "overdue" else ""
    local = timezone.localtime(due)
    return format_html(
        '<span class="due due-{}" title="{}">{}<time datetime="{}">{}</time></span>',
        left.state,
        _("Due at %(time)s") % {"time": local.strftime("%Y-%m-%d %H:%M")},
        format_html('<span aria-hidden="true">{} </span>', icon) if icon else "",
        local.isoformat(),
        left.text,
    )


@register.filter(name="time_left")
def time_left_filter(due: datetime | None) -> str:
    """`{{ case.due_at|time_left }}`: the words only, measured from now."""
    left = time_left(due, timezone.now())
    return left.text if left else ""


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """The URL of `name`, or "" when that page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag
def second_factor_pending(user) -> bool:
    """True while a member of staff has signed in with a password but not yet passed the second factor."""
    from django.conf import settings

    from fengqiao.accounts.otp import needs_second_factor

    return bool(settings.FQ_STAFF_2FA and needs_second_factor(user))
