"""The security officer's decisions on roles asked for, and the auditor's view of every grant (separation of duties).

Thin: the rules are fengqiao.org.duties, the writes fengqiao.org.grants. A page a person's role does not open answers
404, as elsewhere.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fengqiao.org import grants
from fengqiao.org.access import Capability, may
from fengqiao.org.models import GrantRequest

AUDIT_PAGE = 300


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("decision"),
        choices=[("approve", gettext_lazy("Approve")), ("refuse", gettext_lazy("Refuse"))],
    )
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300, required=False,
                             help_text=gettext_lazy("Needed when you refuse. Recorded for the auditor."))


def _officer(request: HttpRequest) -> None:
    if not may(request.user, Capability.GRANT_APPROVE):
        raise Http404(_("This page is for security officers."))


@login_required
@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    """Roles waiting for a second person; the security officer approves or refuses each (never their own)."""
    _officer(request)
    pending = list(grants.pending_requests())
    rows = [(g, g.requested_by_id == request.user.pk or g.user_id == request.user.pk) for g in pending]
    decided = GrantRequest.objects.exclude(status=GrantRequest.Status.PENDING).select_related(
        "user", "unit", "requested_by", "decided_by").order_by("-decided_at", "-pk")[:50]
    return render(request, "org/grants.html", {"rows": rows, "decided": decided, "form": DecisionForm()})


@login_required
@require_POST
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _officer(request)
    grant = get_object_or_404(GrantRequest, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect(reverse("org:grants"))
    reason = form.cleaned_data["reason"]
    try:
        if form.cleaned_data["decision"] == "approve":
            grants.membership_approve(actor=request.user, request=grant, reason=reason)
            messages.success(request, _("Approved: %(role)s in %(unit)s for %(user)s is in effect now.") % {
                "role": grant.get_role_display(), "unit": grant.unit, "user": grant.user})
        else:
            grants.membership_refuse(actor=request.user, request=grant, reason=reason)
            messages.success(request, _("Refused: %(role)s in %(unit)s for %(user)s.") % {
                "role": grant.get_role_display(), "unit": grant.unit, "user": grant.user})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "org/grants.html", {
            "rows": [(g, g.requested_by_id == request.user.pk or g.user_id == request.user.pk)
                     for g in grants.pending_requests()],
            "decided": [], "form": DecisionForm()}, status=403)
    return redirect(reverse("org:grants"))


@login_required
@require_GET
def grant_audit(request: HttpRequest) -> HttpResponse:
    """The auditor's view: every role asked for, approved, refused, revoked or set up, and every refused attempt."""
    if not may(request.user, Capability.AUDIT_READ):
        raise Http404(_("This page is for auditors."))
    return render(request, "org/grant_audit.html", {"rows": grants.grant_records()[:AUDIT_PAGE]})
