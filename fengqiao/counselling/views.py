"""Pages of the psychological service (thin: the services check rights, write and log every read).

Whoever may not read an engagement's records gets 404 — the same answer as for an engagement that does not
exist — and the attempt is written to the access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases.models import Case
from fengqiao.counselling import services as svc
from fengqiao.counselling.forms import (
    CloseForm,
    ConsentForm,
    GrantForm,
    OpenForm,
    RecordForm,
    RevokeForm,
    RiskForm,
)
from fengqiao.counselling.models import AccessLog, Engagement, Grant
from fengqiao.counselling.rules import Basis
from fengqiao.mediation.models import TeamRole
from fengqiao.org.access import Capability, may

LOG_PAGE = 200


def _hidden() -> Http404:
    return Http404(_("No psychological service with this number is visible to you."))


def _errors_to_form(form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = (rename or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def engagement_list(request: HttpRequest) -> HttpResponse:
    """The counsellor's engagements, and those shared with this user now."""
    engagements = list(svc.engagements_for(request.user))
    context = {
        "own": [e for e in engagements if e.counsellor_id == request.user.pk],
        "shared": [e for e in engagements if e.counsellor_id != request.user.pk],
        "open_form": OpenForm() if svc.is_counsellor(request.user) else None,
        "can_audit": may(request.user, Capability.AUDIT_READ),
    }
    return render(request, "counselling/list.html", context)


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def engagement_open(request: HttpRequest) -> HttpResponse:
    """Open psychological service on a case, the signed-in psychologist being the counsellor."""
    if not svc.is_counsellor(request.user):  # the gate before the form (fengqiao/org/policy.py)
        raise PermissionDenied(_("Only a psychologist opens psychological service."))
    form = OpenForm(request.POST)
    back = _next_url(request, reverse("counselling:list"))
    if not form.is_valid():
        messages.error(request, _("Give the code of the case."))
        return redirect(back)
    code = form.cleaned_data["case_code"].strip().upper()
    user = request.user
    case = (Case.objects.filter(code=code)
            .filter(Q(pk__in=Case.objects.visible_to(user).values("pk"))
                    | Q(mediations__team__user=user, mediations__team__role=TeamRole.PSYCHOLOGIST))
            .distinct().first())
    if case is None:
        messages.error(request, _("No case with the code %(code)s is visible to you.") % {"code": code})
        return redirect(back)
    try:
        engagement = svc.engagement_open(case=case, counsellor=user, actor=user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect(back)
    messages.success(request, _("Psychological service opened on %(code)s. Record the person's consent before the "
                                "first record.") % {"code": case.code})
    return redirect(reverse("counselling:detail", args=[engagement.pk]))


def _grant_candidates(engagement: Engagement) -> list:
    """Colleagues the counsellor may likely want to share with: their unit and the mediation team."""
    user_model = get_user_model()
    q = Q(memberships__unit=engagement.unit, memberships__is_active=True)
    if engagement.mediation_id:
        q |= Q(mediation_teams__mediation=engagement.mediation_id)
    return list(user_model.objects.filter(q, is_active=True).exclude(pk=engagement.counsellor_id)
                .distinct().order_by("username")[:50])


def _page(request: HttpRequest, pk: int, *, forms: dict | None = None, status: int = 200) -> HttpResponse:
    """The engagement page: one read of the records, logged (or 404 and a logged refusal)."""
    try:
        reading = svc.engagement_for_reader(user=request.user, pk=pk)
    except svc.RecordsHidden:
        raise _hidden() from None
    engagement = reading.engagement
    mine = reading.basis == Basis.COUNSELLOR
    context = {
        "engagement": engagement,
        "case": engagement.case,
        "records": engagement.records.select_related("written_by"),
        "mine": mine,
        "grant": reading.grant,
        "now": timezone.now(),
    }
    if mine:
        forms = forms or {}
        context.update(
            grants=engagement.grants.select_related("user", "granted_by", "revoked_by"),
            candidates=_grant_candidates(engagement),
            consent_form=forms.get("consent") or ConsentForm(),
            record_form=forms.get("record") or RecordForm(),
            risk_form=forms.get("risk") or RiskForm(initial={"risk_level": engagement.risk_level,
                                                             "crisis_note": engagement.crisis_note}),
            grant_form=forms.get("grant") or GrantForm(),
            close_form=forms.get("close") or CloseForm(),
            revoke_errors=forms.get("revoke_errors") or {},
        )
    return render(request, "counselling/engagement.html", context, status=status)


@login_required
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


def _for_counsellor(request: HttpRequest, pk: int) -> Engagement:
    """The engagement for a write: 404 (and a logged refusal) to anyone who may not read it, 403 to a reader
    who is not the counsellor."""
    engagement = Engagement.objects.filter(pk=pk).select_related("case").first()
    basis = svc.reader_basis(request.user, engagement)[0] if engagement is not None else None
    if basis is None:
        svc.access_denied_log(user=request.user, pk=pk, engagement=engagement)
        raise _hidden()
    if basis != Basis.COUNSELLOR:
        raise PermissionDenied(_("Only the counsellor may do this."))
    return engagement


WRITES = {
    "consent": (ConsentForm, lambda e, u, d: svc.engagement_consent_record(
        engagement=e, actor=u, consent_by=d["consent_by"], consent_at=d["consent_at"], method=d["method"]),
        {}, _("Consent recorded.")),
    "record": (RecordForm, lambda e, u, d: svc.record_add(
        engagement=e, actor=u, held_on=d["held_on"], mode=d["mode"], duration_minutes=d["duration_minutes"],
        notes=d["notes"], assessment=d["assessment"], plan=d["plan"]), {}, _("Session record saved.")),
    "risk": (RiskForm, lambda e, u, d: svc.engagement_risk_set(
        engagement=e, actor=u, level=d["risk_level"], crisis_note=d["crisis_note"]), {}, _("Risk level saved.")),
    "grant": (GrantForm, None, {"user": "username"}, _("Access granted.")),
    "close": (CloseForm, lambda e, u, d: svc.engagement_close(engagement=e, actor=u, note=d["note"]), {},
              _("Psychological service closed.")),
}


def _grant(engagement: Engagement, user, data: dict):
    grantee = get_user_model().objects.filter(username=data["username"].strip()).first()
    if grantee is None:
        raise ValidationError({"user": _("No user is called %(name)s.") % {"name": data["username"].strip()}})
    return svc.grant_create(engagement=engagement, actor=user, user=grantee, reason=data["reason"],
                            expires_at=data["expires_at"])


@login_required
@require_POST
def engagement_write(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    if what not in WRITES:
        raise Http404(_("Unknown action."))
    engagement = _for_counsellor(request, pk)
    form_class, call, rename, done = WRITES[what]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            (call or _grant)(engagement, request.user, form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc, rename)
        else:
            messages.success(request, str(done))
            return redirect(reverse("counselling:detail", args=[pk]))
    messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return _page(request, pk, forms={what: form}, status=400)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int, grant_id: int) -> HttpResponse:
    engagement = _for_counsellor(request, pk)
    grant = Grant.objects.filter(pk=grant_id, engagement=engagement).first()
    if grant is None:
        raise Http404(_("No such access."))
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("Say why the access ends (at least 4 characters).")})
        svc.grant_revoke(grant=grant, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _("Nothing was saved: please correct the fields marked below."))
        return _page(request, pk, forms={"revoke_errors": {grant.pk: " ".join(exc.messages)}}, status=400)
    messages.success(request, _("Access of %(name)s revoked.") % {"name": grant.user})
    return redirect(reverse("counselling:detail", args=[pk]))


@login_required
def engagement_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The records as a PDF (a read like any other: logged, 404 to whoever may not read them)."""
    from fengqiao.counselling.documents import records_pdf

    try:
        reading = svc.engagement_for_reader(user=request.user, pk=pk, what=AccessLog.What.EXPORT)
    except svc.RecordsHidden:
        raise _hidden() from None
    pdf = records_pdf(reading.engagement, exported_by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="counselling-{reading.engagement.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read this engagement's records: for the counsellor, and for an auditor (who never sees the records)."""
    engagement = Engagement.objects.filter(pk=pk).select_related("case", "counsellor").first()
    if engagement is None or not svc.may_see_log(request.user, engagement):
        raise _hidden()
    rows = engagement.access_log.select_related("user", "grant")[:LOG_PAGE]
    return render(request, "counselling/log.html", {"engagement": engagement, "rows": rows,
                                                    "mine": engagement.counsellor_id == request.user.pk})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The auditor's view: every read and refused attempt in their scope, without any record's contents."""
    if not may(request.user, Capability.AUDIT_READ):
        raise Http404(_("This page is for auditors."))
    rows = svc.access_log_for_auditor(request.user)[:LOG_PAGE]
    return render(request, "counselling/audit.html", {"rows": rows})
