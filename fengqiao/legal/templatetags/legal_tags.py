"""The legal routes on the case page: its judicial-confirmation applications, and links to refer or hand it over."""

from __future__ import annotations

from django import template

from fengqiao.legal import linkages as lk
from fengqiao.legal import selectors as sel

register = template.Library()


@register.inclusion_tag("legal/_case_links.html", takes_context=True)
def legal_case_links(context, case) -> dict:
    user = context["request"].user
    may_refer = lk.acting_unit(user, case) is not None
    may_hand_over = bool(lk.member_units(user))
    applications = list(sel.applications_visible_to(user).filter(case=case)) if may_refer or may_hand_over else []
    return {"case": case, "may_refer": may_refer, "may_hand_over": may_hand_over, "applications": applications,
            "show": may_refer or may_hand_over or bool(applications)}
