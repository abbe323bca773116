"""The petition box on the case page: the case's petitions the user may see, and whether they may register one."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def petition_links(context, case) -> dict:
    from fengqiao.petitions.models import Petition
    from fengqiao.petitions.services import may_register

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_register": False, "petitions": []}
    return {
        "can_register": may_register(user, case),
        # Staff see the petitions of their office; the resident who raised the case sees theirs.
        "petitions": list((Petition.objects.visible_to(user) | Petition.objects.of_petitioner(user))
                          .filter(case=case).only("number", "state")),
    }
