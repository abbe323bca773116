"""The radar's pages: /warnings/ (the list) and /warnings/<id>/ (evidence, chart, the loop and its steps).
Reads go through selectors (scoped); writes through services. A warning outside the reader's scope is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.cases.models import Case
from fengqiao.org.access import scope_for
from fengqiao.warnings import rules
from fengqiao.warnings import selectors as sel
from fengqiao.warnings import services as svc
from fengqiao.warnings.models import Kind, Level, Outcome, State, Warning, WarningCase

CASES_SHOWN = 50


class ActionForm(forms.Form):
    action = forms.CharField(
        label=gettext_lazy("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices)
    result = forms.CharField(
        label=gettext_lazy("What came of it"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _reader(request: HttpRequest) -> None:
    if not sel.may_use_radar(request.user):
        raise PermissionDenied(
            _("The radar is for centre staff, leaders, auditors and the departments it asks to act.")
        )


def _visible(request: HttpRequest, pk: int) -> Warning:
    warning = (
        sel.visible_warnings(request.user)
        .select_related("place", "owner_unit", "category", "previous", "acknowledged_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if warning is None:
        raise Http404(_("No such warning."))
    return warning


SPARK_DAYS, SPARK_W, SPARK_H = 14, 70, 18


def sparkline(series: list) -> str:
    """The points of a small polyline of the last two weeks' counts (drawn as inline SVG: no script)."""
    counts = [int(n) for _d, n in series[-SPARK_DAYS:]] or [0]
    top = max(counts) or 1
    step = SPARK_W / max(1, len(counts) - 1)
    return " ".join(f"{i * step:.1f},{SPARK_H - 1 - (n / top) * (SPARK_H - 2):.1f}" for i, n in enumerate(counts))


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    state = request.GET.get("state", "active")
    state = state if state in {"active", "", *State.values} else "active"
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    return render(
        request,
        "warnings/list.html",
        {
            "warnings": [
                (w, sparkline(w.series)) for w in sel.warning_list(request.user, state=state, level=level, kind=kind)
            ],
            "state": state,
            "level": level,
            "kind": kind,
            "states": State.choices,
            "levels": Level.choices,
            "kinds": Kind.choices,
        },
    )


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    warning = _visible(request, pk)
    evidence = WarningCase.objects.filter(warning=warning).values("case_id")
    cases = list(
        Case.objects.visible_to(request.user)
        .filter(pk__in=evidence)
        .select_related("region")
        .order_by("-submitted_at")[:CASES_SHOWN]
    )
    scope = scope_for(request.user)
    steps = rules.allowed_steps(
        scope, state=warning.state, place_id=warning.place_id, owner_unit_id=warning.owner_unit_id
    )
    return render(
        request,
        "warnings/detail.html",
        {
            "warning": warning,
            "cases": cases,
            "evidence_total": warning.evidence.count(),
            "events": warning.events.select_related("actor"),
            "chart": {"days": [d for d, _n in warning.series], "counts": [n for _d, n in warning.series]},
            "steps": steps,
            "action_form": ActionForm(),
            "close_form": CloseForm(),
            "recurrences": warning.recurrences.order_by("-raised_at")[:5],
        },
    )


def _step(request: HttpRequest, pk: int, step: str, work) -> HttpResponse:
    _reader(request)
    warning = _visible(request, pk)
    scope = scope_for(request.user)
    allowed = (
        rules.may_steer(scope, place_id=warning.place_id)
        if step == rules.CLOSE
        else rules.may_work(scope, place_id=warning.place_id, owner_unit_id=warning.owner_unit_id)
    )
    if not allowed:
        raise PermissionDenied(_("Only the centre of the place and the suggested owner work on this warning."))
    try:
        work(warning)
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    return redirect("warnings:detail", pk=warning.pk)


@login_required
@require_POST
def warning_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    def work(warning):
        svc.warning_acknowledge(warning=warning, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Acknowledged: the warning is yours to act on."))

    return _step(request, pk, rules.ACKNOWLEDGE, work)


@login_required
@require_POST
def warning_action(request: HttpRequest, pk: int) -> HttpResponse:
    def work(warning):
        form = ActionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say what was done."))
        svc.warning_record_action(warning=warning, actor=request.user, action=form.cleaned_data["action"])
        messages.success(request, _("The action is recorded."))

    return _step(request, pk, rules.RECORD_ACTION, work)


@login_required
@require_POST
def warning_close(request: HttpRequest, pk: int) -> HttpResponse:
    def work(warning):
        form = CloseForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose the outcome and say what came of it."))
        svc.warning_close(
            warning=warning,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            result=form.cleaned_data["result"],
        )
        messages.success(request, _("The warning is closed."))

    return _step(request, pk, rules.CLOSE, work)
