"""The agreement panel on the mediation page and the agreements on the resident's tracking page."""

from __future__ import annotations

from django import template

from fengqiao.mediation.models import Agreement

register = template.Library()


@register.inclusion_tag("mediation/agreement/_panel_body.html", takes_context=True)
def agreement_panel(context, mediation):
    from fengqiao.mediation.views_agreement import panel_context  # the views import the services; load when drawn

    return panel_context(context["request"], mediation)


@register.simple_tag
def case_agreements(case) -> list[Agreement]:
    """The agreements of `case` the resident may know about (drafts are not yet theirs), newest first."""
    from fengqiao.mediation.agreements import judicial_confirmation_status

    rows = list(Agreement.objects.filter(mediation__case=case).exclude(status=Agreement.Status.DRAFT)
                .select_related("mediation__unit").order_by("-created_at"))
    for agreement in rows:
        agreement.judicial = judicial_confirmation_status(agreement)  # type: ignore[attr-defined]
    return rows
