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
    """Staff on the case page see the case, so they see its commands (one query); the form costs two more queries,
    and only for a centre's operator or leader who may dispatch the case."""
    from fengqiao.cases.workflow import TERMINAL_STATES
    from fengqiao.commands.forms import IssueForm
    from fengqiao.commands.models import Command
    from fengqiao.commands.services import ISSUER_ROLES
    from fengqiao.commands.views import departments_for
    from fengqiao.org.access import Capability, may, scope_for
    from fengqiao.org.models import OrgUnit

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    commands = list(Command.objects.filter(case=case).only("number", "level", "status"))
    form, issuers = None, []
    centre_ids = [g.unit_id for g in scope_for(user).grants if g.role in ISSUER_ROLES and g.region_ids]
    if centre_ids and case.status not in TERMINAL_STATES and may(user, Capability.CASE_DISPATCH, case):
        issuers = list(OrgUnit.objects.filter(pk__in=centre_ids).select_related("region").order_by("path"))
        form = IssueForm(issuers=issuers, departments=departments_for(issuers[0]))
    return {"show": bool(commands or form), "case": case, "commands": commands, "form": form,
            "issuers": issuers, "csrf_token": context.get("csrf_token")}
