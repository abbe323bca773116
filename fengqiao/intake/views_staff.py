"""Staff channels: walk-in and hotline entry with the caller's history, and the grid worker's report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.cases.models import Case, Channel
from fengqiao.cases.titles import title_from_description
from fengqiao.core.home import RESIDENT_STATUS
from fengqiao.intake.duplicates import cases_for_phone, duplicate_hints
from fengqiao.intake.forms import GridReportForm, StaffIntakeForm, new_submission_token
from fengqiao.intake.idempotency import IdempotencyConflict
from fengqiao.intake.models import GridReport
from fengqiao.intake.places import community_by_code
from fengqiao.intake.submit import Submission, intake_submit
from fengqiao.intake.validation import clean_phone
from fengqiao.org.access import Capability, scope_for
from fengqiao.org.models import Region, RegionLevel


def _regions_for(user, capability: Capability) -> frozenset[int] | None:
    """The regions in which `user` takes demands with `capability` (None: no limit, e.g. the auditor has none)."""
    scope = scope_for(user)
    if capability not in scope.capabilities:
        raise PermissionDenied(_("Your role does not include this form."))
    ids = frozenset().union(*(g.region_ids for g in scope.grants if capability in g.capabilities))
    return ids or None


# --- walk-in and hotline -------------------------------------------------------------------------


def _history(user, data) -> dict:
    """Earlier cases of the caller and duplicate hints, from what is typed so far (nothing is saved)."""
    try:
        phone = clean_phone(data.get("phone", ""), required=False)
    except ValidationError:
        phone = ""
    community = community_by_code(data.get("community", "") or "")
    title = (data.get("title") or "").strip() or title_from_description(data.get("description") or "")
    return {
        "looked_up": bool(phone or (community and title)),
        "phone": phone,
        "earlier": cases_for_phone(user, phone),
        "hints": duplicate_hints(user, phone=phone, region=community, title=title),
    }


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    """/intake/new/: the operator types the demand while the resident talks; saving goes to the case page."""
    region_ids = _regions_for(request.user, Capability.CASE_INTAKE)
    history = None
    status = 200
    if request.method == "POST" and "lookup" in request.POST:
        # No-JavaScript fallback of the live lookup: show the history, keep what was typed, save nothing.
        form = StaffIntakeForm(initial=request.POST.dict(), region_ids=region_ids)
        history = _history(request.user, request.POST)
    elif request.method == "POST":
        form = StaffIntakeForm(request.POST, region_ids=region_ids)
        if form.is_valid():
            data = form.cleaned_data
            coordinates = data.get("coordinates")
            submission = Submission(
                channel=data["channel"], service_type=data["service_type"], description=data["description"],
                title=data.get("title") or "", region=data["region"], category=data.get("category"),
                address=data.get("address") or "",
                latitude=coordinates[0] if coordinates else None, longitude=coordinates[1] if coordinates else None,
                people_count=data.get("people_count") or 1, amount=data.get("amount"),
                applicant_name=data["applicant_name"].strip(), applicant_phone=data["phone"],
                respondent=(data.get("respondent") or "").strip(), consent_contact=data.get("consent_contact", False),
                reporter=request.user,
            )
            try:
                case, replayed = intake_submit(submission, scope=f"staff:{request.user.pk}",
                                               key=data["submission_token"])
            except IdempotencyConflict:
                messages.error(request, _("This form was saved before. Start a new entry."))
                return redirect("intake:staff_new")
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                if not replayed:
                    messages.success(request, _("Case %(code)s recorded.") % {"code": case.code})
                return redirect(reverse("cases:detail", args=[case.code]))
        history = _history(request.user, request.POST)
        status = 400
    else:
        form = StaffIntakeForm(initial={"submission_token": new_submission_token()}, region_ids=region_ids)
    return render(request, "intake/staff_new.html", {"form": form, "history": history},
                  status=status)


@login_required
@require_POST
def staff_lookup(request: HttpRequest) -> HttpResponse:
    """The caller's history as the phone is typed (htmx partial of /intake/new/). A POST (with the CSRF token):
    the phone number travels in the body, never in a URL that access logs keep."""
    _regions_for(request.user, Capability.CASE_INTAKE)
    return render(request, "intake/_caller_history.html", {"history": _history(request.user, request.POST)})


# --- grid workers and safety volunteers -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def grid_report(request: HttpRequest) -> HttpResponse:
    """/grid/report/: a lead from a patrol, with photos and the position; it becomes a grid-channel case."""
    region_ids = _regions_for(request.user, Capability.CASE_REPORT)
    if request.method == "POST":
        form = GridReportForm(request.POST, request.FILES, region_ids=region_ids)
        if form.is_valid():
            data = form.cleaned_data
            coordinates = data.get("coordinates")
            submission = Submission(
                channel=Channel.GRID, service_type=data["service_type"], description=data["description"],
                region=data["region"], address=data.get("address") or "",
                latitude=coordinates[0] if coordinates else None, longitude=coordinates[1] if coordinates else None,
                people_count=data.get("people_count") or 1, reporter=request.user, files=list(data["files"]),
                consent_contact=False,
            )
            patrol = data["patrol_type"]
            try:
                case, _replayed = intake_submit(
                    submission, scope=f"grid:{request.user.pk}", key=data["submission_token"],
                    extra=lambda case: GridReport.objects.create(case=case, patrol_type=patrol),
                )
            except IdempotencyConflict:
                messages.error(request, _("This report was sent before. Start a new one."))
                return redirect("intake:grid_report")
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("Thank you. Your report is case %(code)s.") % {"code": case.code})
                return redirect("intake:grid_reports")
        status = 400
    else:
        initial = {"submission_token": new_submission_token()}
        if region_ids and len(region_ids) == 1:
            community = Region.objects.filter(pk__in=region_ids, level=RegionLevel.COMMUNITY).first()
            if community is not None:
                initial["community"] = community.code
        form = GridReportForm(initial=initial, region_ids=region_ids)
        status = 200
    return render(request, "intake/grid_report.html", {"form": form}, status=status)


@login_required
@require_GET
def grid_reports(request: HttpRequest) -> HttpResponse:
    """/grid/reports/: what I reported, newest first, with where each one stands."""
    _regions_for(request.user, Capability.CASE_REPORT)
    cases = (Case.objects.filter(reporter=request.user, channel=Channel.GRID)
             .select_related("region", "grid_report").order_by("-submitted_at")[:100])
    rows = [(c, RESIDENT_STATUS.get(c.status, c.get_status_display())) for c in cases]
    return render(request, "intake/grid_reports.html", {"rows": rows})
