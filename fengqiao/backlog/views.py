"""The backlog board (/backlog/: 存量动态清零) and special campaigns (/backlog/campaigns/). Reads go through the one
gate (Case.objects.visible_to); writes through fengqiao.backlog.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.backlog import rules
from fengqiao.backlog import selectors as sel
from fengqiao.backlog import services as svc
from fengqiao.backlog.forms import CampaignForm, PlanForm
from fengqiao.backlog.models import Campaign, CampaignCase
from fengqiao.cases.models import Case
from fengqiao.org.access import Capability, scope_for
from fengqiao.org.models import OrgUnit

READERS = {Capability.CASE_DISPATCH, Capability.CASE_OWN, Capability.AUDIT_READ}


def _reader(request: HttpRequest) -> None:
    if not READERS & scope_for(request.user).capabilities:
        raise Http404(_("The backlog board is for centre staff, leaders and auditors."))


def _runner(request: HttpRequest) -> None:
    """Campaigns are run by centre staff and leaders (case.dispatch); auditors only read them."""
    if Capability.CASE_DISPATCH not in scope_for(request.user).capabilities:
        raise PermissionDenied(_("Only centre staff and leaders run campaigns."))


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    _reader(request)
    now = timezone.now()
    cases = Case.objects.visible_to(request.user)
    rows = sel.by_unit_and_age(cases, now)
    series = sel.burndown(cases, now)
    return render(request, "backlog/board.html", {
        "bands": rules.AGE_BANDS, "rows": rows, "total": sum(r["total"] for r in rows),
        "flow": sel.flow_today(cases, now), "burndown": {"days": [d for d, _n in series], "open": [n for _d, n in series]},
        "suggestions": sel.suggestions(cases, now) if Capability.CASE_DISPATCH in scope_for(request.user).capabilities
        else [],
        "groupings": rules.GROUPINGS,
        "campaigns": Campaign.objects.filter(entries__case__in=cases.values("pk")).distinct()
        .select_related("owner").order_by("-created_at")[:20],
    })


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    _reader(request)
    now = timezone.now()
    by, key = request.GET.get("by", ""), request.GET.get("key", "")
    visible = Case.objects.visible_to(request.user)
    group = list(sel.grouped(visible, now, by, key).select_related("region")[:200])
    choices = [(c.code, f"{c.code} {c.title[:40]}") for c in group]
    label = next((s["label"] for s in sel.suggestions(visible, now) if s["by"] == by and s["key"] == key), "")
    if request.method == "POST":
        _runner(request)
        form = CampaignForm(request.POST, case_choices=[(c, c) for c in request.POST.getlist("cases")])
        if form.is_valid():
            chosen = list(visible.filter(code__in=form.cleaned_data["cases"]).select_related("region"))
            try:
                campaign = svc.campaign_create(actor=request.user, name=form.cleaned_data["name"], cases=chosen,
                                               goal=form.cleaned_data["goal"], due_on=form.cleaned_data["due_on"],
                                               grouping={"by": by, "key": key, "label": label})
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The campaign is created with %(n)d cases.") % {"n": len(chosen)})
                return redirect("backlog:campaign", pk=campaign.pk)
        form = CampaignForm(request.POST, case_choices=choices)
    else:
        grouping = str(rules.GROUPINGS.get(by, ""))
        form = CampaignForm(case_choices=choices, initial={
            "name": _("Clearing %(label)s (%(grouping)s)") % {"label": label, "grouping": grouping},
            "cases": [c for c, _t in choices]})
    return render(request, "backlog/campaign_new.html", {"form": form, "label": label, "by": by, "key": key})


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    visible = Case.objects.visible_to(request.user).values("pk")
    return get_object_or_404(Campaign.objects.filter(entries__case__in=visible).distinct()
                             .select_related("owner", "district"), pk=pk)


@login_required
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    item = _campaign(request, pk)
    entries = list(item.entries.select_related("case__holder_unit", "plan_owner").order_by("case__submitted_at"))
    cases = Case.objects.filter(pk__in=[e.case_id for e in entries])
    series = sel.burndown(cases, timezone.now())
    district = item.district
    units = OrgUnit.objects.filter(is_active=True, region__path__startswith=district.path).order_by("kind", "name")
    return render(request, "backlog/campaign.html", {
        "campaign": item, "entries": entries, "units": units, "plan_form": PlanForm(),
        "open_count": sum(1 for e in entries if e.case.closed_at is None),
        "burndown": {"days": [d for d, _n in series], "open": [n for _d, n in series]},
    })


@login_required
@require_POST
def campaign_plan(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    _reader(request)
    item = _campaign(request, pk)
    _runner(request)
    row = get_object_or_404(CampaignCase.objects.select_related("campaign"), pk=entry, campaign=item)
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            svc.plan_set(entry=row, actor=request.user, plan=form.cleaned_data["plan"], plan_owner=request.user,
                         due_on=form.cleaned_data["due_on"])
            messages.success(request, _("The plan for %(code)s is saved.") % {"code": row.case.code})
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    return redirect("backlog:campaign", pk=item.pk)


@login_required
@require_POST
def campaign_batch(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    item = _campaign(request, pk)
    _runner(request)
    codes = request.POST.getlist("codes")
    action = request.POST.get("action")
    try:
        if action == "dispatch":
            unit = OrgUnit.objects.filter(pk=request.POST.get("unit") or 0).first()
            if unit is None:
                raise ValidationError({"unit": [_("Choose the unit to dispatch to.")]})
            n = svc.batch_dispatch(campaign=item, actor=request.user, codes=codes, unit=unit,
                                   note=request.POST.get("reason", ""))
            messages.success(request, _("%(n)d cases dispatched to %(unit)s.") % {"n": n, "unit": unit.name})
        elif action == "supervise":
            n = svc.batch_supervise(campaign=item, actor=request.user, codes=codes,
                                    reason=request.POST.get("reason", ""))
            messages.success(request, _("%(n)d cases supervised.") % {"n": n})
        elif action == "close":
            svc.campaign_close(campaign=item, actor=request.user)
            messages.success(request, _("The campaign is closed."))
        else:
            raise ValidationError(_("Choose what to do."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("backlog:campaign", pk=item.pk)
