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


@register.filter
def short_title(value, limit: int = 40) -> str:
    """A title (or any text) on one line, cut with "…" after `limit` characters (fengqiao.cases.titles)."""
    from fengqiao.cases.titles import shorten
    from fengqiao.core.masking import mask_text

    return mask_text(shorten(mask_text(str(value or "")), int(limit)))  # masked before and after cutting


@register.simple_tag
def case_title(case, limit: int = 40):
    """The case's title cut to `limit` characters, in a span whose hover title is the whole text (the description
    when the title was made from it), given only when the reader does not see it all already. Personal data
    written in either is masked (core.masking) before cutting."""
    from django.utils.html import format_html

    from fengqiao.cases.titles import masked_title, shorten, whole_title

    shown = shorten(masked_title(case.title, case.description), int(limit))
    whole = masked_title(whole_title(case.title, case.description))
    if shown == whole:
        return format_html('<span class="case-title">{}</span>', shown)
    return format_html('<span class="case-title" title="{}">{}</span>', whole, shown)


@register.filter
def event_detail(event) -> str:
    """What a timeline line's stored data says, in the reader's words (never the stored values)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from fengqiao.cases.models import Grade
    from fengqiao.cases.workflow import Action

    data = event.data or {}
    if event.action == Action.EXTENSION_REQUEST and data.get("days"):
        return ngettext("%(n)d more day asked for", "%(n)d more days asked for", data["days"]) % {"n": data["days"]}
    if event.action == Action.EXTENSION_DECIDE and "approved" in data:
        if data["approved"]:
            days = data.get("days") or 0
            return ngettext("Approved: %(n)d more day", "Approved: %(n)d more days", days) % {"n": days}
        return _("Refused")
    if event.action == Action.REGRADE and data.get("to") in Grade.values:
        old = Grade(data["from"]).label if data.get("from") in Grade.values else "—"
        return f"{old} → {Grade(data['to']).label}"
    if event.action == Action.CONFIRM and data.get("by"):
        return _("by the resident") if data["by"] == "resident" else _("on a return visit")
    if event.action in (Action.DEADLINE_REMINDER, Action.DEADLINE_OVERDUE, Action.DEADLINE_ESCALATED):
        from fengqiao.sla.models import Step

        if data.get("step") in Step.values:
            return str(Step(data["step"]).label)
    if event.action in (Action.MEDIATE, Action.LEGAL, Action.PETITION) and data.get("public"):
        # A procedure step: the words its service chose for the resident, in the reader's language.
        args = data.get("public_args") or {}
        return _(data["public"]) % args if args else _(data["public"])
    return ""
