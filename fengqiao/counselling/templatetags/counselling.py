"""`{% counselling_notice case %}` on the case page: that psychological service is in progress (no contents),
a link for the counsellor and those they grant, and the opening button for a psychologist who may counsel."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("counselling/_case_notice.html", takes_context=True)
def counselling_notice(context, case) -> dict:
    from fengqiao.counselling.models import Engagement
    from fengqiao.counselling.services import counsellor_eligibility, reader_basis

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    engagements = list(case.counselling_engagements.select_related("counsellor"))
    in_progress = any(e.status == Engagement.Status.OPEN for e in engagements)
    readable = [e for e in engagements if reader_basis(user, e)[0] is not None]
    mine_open = any(e.counsellor_id == user.pk and e.status == Engagement.Status.OPEN for e in engagements)
    can_open = not mine_open and counsellor_eligibility(user, case) is not None
    return {"show": in_progress or readable or can_open, "in_progress": in_progress, "readable": readable,
            "can_open": can_open, "case": case, "user": user, "request": request, "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def counselling_nav(context) -> bool:
    """Whether the main navigation offers the psychological service: to psychologists, to users holding a live
    grant, and to auditors (for the access log). Computed once per request."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from fengqiao.counselling.models import Grant
    from fengqiao.mediation.models import MediatorKind, MediatorProfile, TeamMember, TeamRole
    from fengqiao.org.access import Capability, scope_for

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, "_fq_counselling_nav", None)
    if cached is None:
        if Capability.AUDIT_READ in scope_for(user).capabilities:
            cached = True
        else:  # a psychologist (profile or team place) or the holder of a live grant, in one query
            mine = {"user": OuterRef("pk")}
            cached = get_user_model().objects.filter(pk=user.pk).filter(
                Exists(MediatorProfile.objects.filter(**mine, kind=MediatorKind.PSYCHOLOGIST))
                | Exists(TeamMember.objects.filter(**mine, role=TeamRole.PSYCHOLOGIST))
                | Exists(Grant.objects.filter(**mine, revoked_at__isnull=True, expires_at__gt=timezone.now())),
            ).exists()
        user._fq_counselling_nav = cached
    return cached
