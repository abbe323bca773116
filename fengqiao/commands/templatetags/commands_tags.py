"""`{% command_panel case %}` on the case page (its commands, and the form to issue one for those who may), and the
`flag_label` filter (a check-in flag in the reader's language)."""

from __future__ import annotations

from django import template

from fengqiao.commands import rules

register = template.Library()


@register.filter
def flag_label(flag: str) -> str:
    return rules.flag_label(flag)


@register.inclusion_tag("commands/_case_panel.html", takes_context=True)
def command_panel(context, case) -> dict:
    from fengqiao.cases.workflow import TERMINAL_STATES
    from fengqiao.commands import selectors as sel
    from fengqiao.commands.forms import IssueForm
    from fengqiao.commands.views import departments_for
    from fengqiao.org.access import Capability, may

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    commands = list(sel.commands_visible_to(user).filter(case=case).prefetch_related("targets"))
    form = None
    if case.status not in TERMINAL_STATES and may(user, Capability.CASE_DISPATCH, case):
        issuers = sel.issuing_units(user)
        if issuers:
            form = IssueForm(issuers=issuers, departments=departments_for(issuers[0]), prefix=None)
    return {"show": bool(commands or form), "case": case, "commands": commands, "form": form,
            "csrf_token": context.get("csrf_token")}
