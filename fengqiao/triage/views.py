"""The triage panel's actions: plain form posts (htmx-boosted on the case page), thin over the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case
from fengqiao.cases.views import case_detail
from fengqiao.cases.workflow import TransitionError
from fengqiao.triage import services as ts
from fengqiao.triage.models import Part


def _case(request: HttpRequest, code: str) -> Case:
    case = Case.objects.visible_to(request.user).select_related("region", "holder_unit", "category").filter(
        code=code).first()
    if case is None:
        raise Http404(_("No case with this code is visible to you."))
    return case


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        return redirect(reverse("core:home"))  # e.g. dispatched away from a unit that no longer sees it
    return redirect(reverse("cases:detail", args=[case.code]) + "#triage")


def _run(request: HttpRequest, case: Case, key: str, call, done: str) -> HttpResponse:
    """Run a service; refusals re-show the case page with the reason (400/403/409), the case unchanged."""
    try:
        call()
    except ValidationError as exc:
        errors = [str(m) for m in exc.messages]
        request.triage_errors = {key: errors}
        messages.error(request, " ".join(errors))
        return case_detail(request, case.code, status=400)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this on this case."))
        return case_detail(request, case.code, status=403)
    except (TransitionError, cs.ConcurrentUpdate) as exc:
        messages.error(request, str(exc))
        return case_detail(request, case.code, status=409)
    messages.success(request, done)
    return _back(request, case)


@login_required
@require_POST
def accept(request: HttpRequest, code: str, part: str) -> HttpResponse:
    case = _case(request, code)
    if part not in Part.values:
        raise Http404(_("Unknown part of the triage."))
    return _run(request, case, part, lambda: ts.triage_accept(case=case, actor=request.user, part=part),
                _("Suggestion accepted: %(part)s.") % {"part": Part(part).label})


@login_required
@require_POST
def correct(request: HttpRequest, code: str, part: str) -> HttpResponse:
    case = _case(request, code)
    if part not in Part.values:
        raise Http404(_("Unknown part of the triage."))
    value, note = request.POST.get("value", ""), request.POST.get("note", "")[:1000]
    return _run(request, case, part,
                lambda: ts.triage_correct(case=case, actor=request.user, part=part, value=value, note=note),
                _("Your decision was recorded: %(part)s.") % {"part": Part(part).label})


@login_required
@require_POST
def run(request: HttpRequest, code: str) -> HttpResponse:
    case = _case(request, code)
    return _run(request, case, "run", lambda: ts.triage_run(case=case, actor=request.user), _("Suggestions made."))


def _other(request: HttpRequest, case: Case) -> Case:
    code = request.POST.get("other", "").strip().upper()
    other = Case.objects.visible_to(request.user).filter(code=code).first()
    if other is None or other.pk == case.pk:
        raise ValidationError({"other": _("No case has the code %(code)s.") % {"code": code or "—"}})
    return other


@login_required
@require_POST
def merge(request: HttpRequest, code: str) -> HttpResponse:
    """Merge from the duplicates list: this case into the other, or the other into this one."""
    case = _case(request, code)
    direction = request.POST.get("direction", "into_other")

    def call():
        other = _other(request, case)
        if direction == "into_this":
            cs.case_merge(case=other, actor=request.user, into=case)
        else:
            cs.case_merge(case=case, actor=request.user, into=other)

    return _run(request, case, "related", call, _("Merged."))


@login_required
@require_POST
def link(request: HttpRequest, code: str) -> HttpResponse:
    case = _case(request, code)
    kind = request.POST.get("kind", "related")[:40]
    return _run(request, case, "related",
                lambda: cs.case_link(case=case, actor=request.user, other=_other(request, case), kind=kind),
                _("Linked."))
