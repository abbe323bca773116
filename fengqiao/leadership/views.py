"""The leader's page (/leadership/): the cases they own with deadlines and their supervision, their sink-down duty
(scheduled and recorded); taking a case from the case page. Thin: fengqiao.leadership.services does the work."""

from __future__ import annotations

import re
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases.models import Case
from fengqiao.leadership import rules
from fengqiao.leadership import selectors as sel
from fengqiao.leadership import services as svc
from fengqiao.leadership.forms import ReasonForm, RecordForm, ShiftForm
from fengqiao.leadership.models import DutyShift, Ownership
from fengqiao.org.access import Capability, scope_for
from fengqiao.org.models import ServicePoint


def _leader(request: HttpRequest) -> None:
    if Capability.CASE_OWN not in scope_for(request.user).capabilities:
        raise Http404(_("This page is for leaders."))


def _points(user):
    scope = scope_for(user)
    return ServicePoint.objects.filter(is_active=True, region_id__in=scope.region_ids).order_by("region__code", "name")


def _say(request: HttpRequest, work, done: str) -> None:
    try:
        work()
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, done)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _leader(request)
    now = timezone.now()
    shifts = list(sel.shifts_of(request.user).order_by("-starts_at")[:30])
    return render(request, "leadership/home.html", {
        "owned": list(sel.owned_by(request.user)), "now": now, "reason_form": ReasonForm(),
        "upcoming": sorted((s for s in shifts if s.starts_at > now), key=lambda s: s.starts_at),
        "to_record": [s for s in shifts if s.starts_at <= now and s.status == DutyShift.Status.PLANNED],
        "recorded": [s for s in shifts if s.status != DutyShift.Status.PLANNED],
        "shift_form": ShiftForm(points=_points(request.user)), "record_form": RecordForm(),
        "basis_labels": rules.Basis.LABELS,
    })


@login_required
@require_POST
def take(request: HttpRequest, code: str) -> HttpResponse:
    _leader(request)  # the gate before the case (fengqiao/org/policy.py)
    case = get_object_or_404(Case.objects.visible_to(request.user), code=code)
    form = ReasonForm(request.POST)
    form.is_valid()
    _say(request, lambda: svc.ownership_take(case=case, leader=request.user,
                                             reason=form.cleaned_data.get("reason", "")),
         _("You own case %(code)s: it is on your page with its deadlines.") % {"code": case.code})
    return redirect("cases:detail", code=case.code)


def _ownership(request: HttpRequest, pk: int) -> Ownership:
    return get_object_or_404(Ownership.objects.select_related("case"), pk=pk, leader=request.user,
                             released_at__isnull=True)


@login_required
@require_POST
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    ownership = _ownership(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    _say(request, lambda: svc.ownership_supervise(ownership=ownership, actor=request.user,
                                                  reason=form.cleaned_data.get("reason", "")),
         _("Supervision recorded on %(code)s; the holding unit is told.") % {"code": ownership.case.code})
    return redirect("leadership:home")


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    ownership = _ownership(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    _say(request, lambda: svc.ownership_release(ownership=ownership, actor=request.user,
                                                reason=form.cleaned_data.get("reason", "")),
         _("Released %(code)s.") % {"code": ownership.case.code})
    return redirect("leadership:home")


@login_required
@require_POST
def shift_new(request: HttpRequest) -> HttpResponse:
    _leader(request)
    form = ShiftForm(request.POST, points=_points(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("leadership:home")
    tz = timezone.get_current_timezone()
    day = form.cleaned_data["day"]
    starts = datetime.combine(day, form.cleaned_data["start"], tzinfo=tz)
    ends = datetime.combine(day, form.cleaned_data["end"], tzinfo=tz)
    _say(request, lambda: svc.duty_schedule(leader=request.user, service_point=form.cleaned_data["service_point"],
                                            starts_at=starts, ends_at=ends, actor=request.user),
         _("Duty at %(point)s on %(day)s is scheduled.") % {"point": form.cleaned_data["service_point"].name,
                                                            "day": day.isoformat()})
    return redirect("leadership:home")


@login_required
@require_POST
def shift_record(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(DutyShift, pk=pk, leader=request.user)
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("leadership:home")
    data = form.cleaned_data
    codes = [c for c in re.split(r"[\s,，、;；]+", data["cases"]) if c]
    _say(request, lambda: svc.duty_record(shift=shift, actor=request.user, held=data["held"],
                                          visitors=data["visitors"] or 0, case_codes=codes, note=data["note"]),
         _("The shift is recorded."))
    return redirect("leadership:home")
