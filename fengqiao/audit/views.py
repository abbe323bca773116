"""The auditor's page: the daily anchors with their seals checked, and one case's timeline verified on demand.
The full check of every chain is the command `./fq manage audit_verify` (it reads the whole timeline)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.audit.keys import verification_keys
from fengqiao.audit.models import AuditAnchor
from fengqiao.audit.verify import Report, audit_problems, seal_problems
from fengqiao.org.access import Capability, may

ANCHORS_SHOWN = 30


@login_required
@require_GET
def chain(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Capability.AUDIT_READ):
        raise PermissionDenied(_("This page is for auditors."))
    from fengqiao.cases.models import Case

    anchors = list(AuditAnchor.objects.order_by("-day")[:ANCHORS_SHOWN])[::-1]
    anchor_problems = seal_problems(anchors, verification_keys())
    code = request.GET.get("code", "").strip()[:40]
    checked = None
    if code:
        case = Case.objects.visible_to(request.user).filter(code=code).first()
        if case is None:
            checked = {"code": code, "unknown": True}
        else:
            report = Report()
            checked = {"code": code, "case": case, "problems": list(audit_problems(report, case_ids=[case.pk])),
                       "report": report}
    return render(request, "audit/chain.html", {
        "anchors": [(a, len(a.heads)) for a in reversed(anchors)],
        "anchor_problems": anchor_problems,
        "checked": checked,
        "code": code,
    })
