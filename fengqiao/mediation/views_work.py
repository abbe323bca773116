"""The mediator's workspace (/mediation/): the week's calendar and lists, opening a mediation, the mediation page with
its team, sessions, record signatures, extension and outcome. Thin: fengqiao.mediation.casework does the work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases.models import Case, Party
from fengqiao.core.masking import mask_name, mask_phone
from fengqiao.mediation import casework as cw
from fengqiao.mediation import rules
from fengqiao.mediation.forms_work import (
    AttendeeForm,
    CancelForm,
    ConcludeForm,
    ExtendForm,
    HoldForm,
    OpenForm,
    ScheduleForm,
    TeamForm,
)
from fengqiao.mediation.models import Attendee, Booking, Mediation, MediatorProfile, Session, TeamMember
from fengqiao.org.access import may_work_on

AGREEMENT_PANEL = "mediation/agreement/_panel.html"


def _workspace(request: HttpRequest) -> None:
    if not cw.has_workspace(request.user):
        raise Http404(_("There is no mediation workspace for you."))


def _week_start(value: str | None) -> date:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


def _calendar(user, monday: date) -> list[dict]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = start + timedelta(days=7)
    days: list[dict] = [{"date": monday + timedelta(days=i), "items": []} for i in range(7)]
    for s in cw.week_sessions(user, start, end):
        local = timezone.localtime(s.scheduled_at)
        days[(local.date() - monday).days]["items"].append({"kind": "session", "at": local, "session": s})
    for b in cw.week_bookings(user, start, end):
        local = timezone.localtime(b.starts_at)
        opened = next((m for m in b.mediations.all() if m.status == Mediation.Status.OPEN), None)
        days[(local.date() - monday).days]["items"].append({"kind": "booking", "at": local, "booking": b,
                                                             "mediation": opened})
    for d in days:
        d["items"].sort(key=lambda item: item["at"])
    return days


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The mediator's calendar (a week of sessions and bookings), open mediations with their due dates (overdue
    flagged), and the disputes dispatched to their committee that wait for a mediation."""
    _workspace(request)
    user = request.user
    monday = _week_start(request.GET.get("week"))
    now = timezone.now()
    open_mediations = list(
        cw.mediations_visible_to(user).filter(status=Mediation.Status.OPEN)
        .select_related("case", "mediator", "unit").order_by("due_at"))
    for m in open_mediations:
        m.overdue = m.due_at < now
        m.due_soon = not m.overdue and m.due_at < now + rules.MEDIATION_DUE_SOON
    context = {
        "monday": monday,
        "days": _calendar(user, monday),
        "prev_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "this_week": _week_start(None) == monday,
        "today": timezone.localdate(),
        "open_mediations": open_mediations,
        "overdue_count": sum(1 for m in open_mediations if m.overdue),
        "awaiting": list(cw.awaiting_mediation(user)[:50]),
        "is_mediator": bool(cw.mediator_unit_ids(user)),
        "has_profile": MediatorProfile.objects.filter(user=user).exists(),
        "now": now,
    }
    return render(request, "mediation/work/home.html", context)


# --- opening ----------------------------------------------------------------------------------------------------


@login_required
def open_case(request: HttpRequest, code: str) -> HttpResponse:
    """Open a mediation on a case (from the case page): facts and matters prefilled from the case."""
    case = Case.objects.visible_to(request.user).select_related("holder_unit", "region").filter(code=code).first()
    if case is None or not may_work_on(request.user, case):  # a staff page: the resident follows at /track/
        raise Http404(_("No case with this code is visible to you."))
    refusal = cw.open_refusal(request.user, case)
    if request.method == "POST" and refusal is not None:
        raise PermissionDenied(refusal)  # the gate before the form (fengqiao/org/policy.py)
    form = OpenForm(request.POST or None, initial={"facts": case.description, "matters": case.title})
    status = 200
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            mediation = cw.mediation_open(case=case, actor=request.user, facts=form.cleaned_data["facts"],
                                          matters=form.cleaned_data["matters"])
        except ValidationError as exc:
            _form_errors(form, exc)
            status = 400
        except PermissionDenied as exc:
            refusal, status = str(exc), 403
        else:
            messages.success(request, _("Mediation opened on %(code)s.") % {"code": case.code})
            return redirect("mediation:detail", mediation.pk)
    elif request.method == "POST":
        status = 400
    if refusal and status == 200:
        status = 403 if request.method == "POST" else 200
    return render(request, "mediation/work/open.html",
                  {"case": case, "form": form, "refusal": refusal, "booking": None}, status=status)


@login_required
def open_booking(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a mediation from a resident's booking of this mediator (or of a mediator of their committee)."""
    _workspace(request)
    units = cw.mediator_unit_ids(request.user)
    booking = get_object_or_404(
        Booking.objects.select_related("mediator", "mediator__user", "case", "service_point")
        .filter(mediator__unit_id__in=units), pk=pk)
    refusal = cw.booking_refusal(request.user, booking)
    case = booking.case
    form = OpenForm(request.POST or None, initial={"facts": case.description if case else booking.matter,
                                                   "matters": case.title if case else booking.matter})
    status = 200
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            mediation = cw.mediation_open_from_booking(booking=booking, actor=request.user,
                                                       facts=form.cleaned_data["facts"],
                                                       matters=form.cleaned_data["matters"])
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("Mediation opened from booking %(code)s.") % {"code": booking.code})
            return redirect("mediation:detail", mediation.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "mediation/work/open.html",
                  {"case": case, "form": form, "refusal": refusal, "booking": booking,
                   "booking_name": mask_name(booking.name), "booking_phone": mask_phone(booking.phone)},
                  status=status)


def _form_errors(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
    else:
        form.add_error(None, str(exc))


# --- the mediation page --------------------------------------------------------------------------------------------


def _get(request: HttpRequest, pk: int) -> Mediation:
    mediation = (cw.mediations_visible_to(request.user)
                 .select_related("case", "case__holder_unit", "case__region", "unit", "unit__region", "mediator",
                                 "booking")
                 .filter(pk=pk).first())
    if mediation is None:
        raise Http404(_("No mediation with this number is visible to you."))
    return mediation


def _party_rows(case: Case) -> list[dict]:
    rows = []
    for p in case.parties.order_by("pk"):
        person = p.kind == Party.Kind.PERSON
        rows.append({"party": p, "role": p.get_role_display(), "name": mask_name(p.name) if person else p.name,
                     "phone": mask_phone(p.phone) if p.phone else ""})
    return rows


def _render(request: HttpRequest, mediation: Mediation, *, bound: dict | None = None,
            status: int = 200) -> HttpResponse:
    bound = bound or {}
    case = mediation.case
    can_work = mediation.status == Mediation.Status.OPEN and cw.may_work(request.user, mediation)
    team = list(mediation.team.select_related("user").order_by("added_at"))
    staff = [mediation.mediator, *[m.user for m in team]]
    parties = list(case.parties.order_by("pk"))
    sessions = list(mediation.sessions.select_related("service_point", "booking", "recorded_by").prefetch_related(
        Prefetch("attendees", queryset=Attendee.objects.select_related("party"))))
    for s in sessions:
        s.hold_form = bound.get(f"hold{s.pk}") or HoldForm(session=s, parties=parties, staff=staff)
        s.cancel_form = bound.get(f"cancel{s.pk}") or CancelForm(session=s)
        s.attendee_form = bound.get(f"att{s.pk}") or AttendeeForm(session=s)
        s.rows = [{"a": a, "name": mask_name(a.name) if a.party_id and a.party and a.party.kind == Party.Kind.PERSON
                   else a.name} for a in s.attendees.all()]
    now = timezone.now()
    context = {
        "mediation": mediation,
        "case": case,
        "parties": _party_rows(case),
        "team": team,
        "sessions": sessions,
        "can_work": can_work,
        "overdue": mediation.status == Mediation.Status.OPEN and mediation.due_at < now,
        "team_form": bound.get("team") or (TeamForm(mediation=mediation) if can_work else None),
        "schedule_form": bound.get("schedule") or (ScheduleForm(mediation=mediation, initial={
            "scheduled_at": datetime.combine(timezone.localdate() + timedelta(days=1), time(9, 30),
                                             tzinfo=timezone.get_current_timezone())})
            if can_work else None),
        "extend_form": bound.get("extend") or (ExtendForm() if can_work else None),
        "conclude_form": bound.get("conclude") or (ConcludeForm() if can_work else None),
        "agreement_panel": _agreement_panel(),
        "now": now,
    }
    return render(request, "mediation/work/detail.html", context, status=status)


def _agreement_panel() -> str | None:
    """The agreement panel (fengqiao.mediation.agreements) if it is installed."""
    try:
        select_template([AGREEMENT_PANEL])
    except TemplateDoesNotExist:  # the agreement part is not there yet: the page works without it
        return None
    return AGREEMENT_PANEL


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _get(request, pk))


def _act(request: HttpRequest, mediation: Mediation, form, key: str, call, done: str) -> HttpResponse:
    """Validate `form`, run `call(cleaned_data)`; refusals re-show the page with the form's errors (nothing written)."""
    if not cw.may_work(request.user, mediation):
        raise PermissionDenied(_("You may not work on this mediation."))
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return _render(request, _get(request, mediation.pk), status=403)
        else:
            messages.success(request, done)
            return redirect(reverse("mediation:detail", args=[mediation.pk]) + f"#{key}")
    messages.error(request, _("Please correct the fields marked below."))
    return _render(request, _get(request, mediation.pk), bound={key: form}, status=400)


@login_required
@require_POST
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _get(request, pk)
    form = TeamForm(request.POST, mediation=mediation)
    return _act(request, mediation, form, "team", lambda d: cw.team_add(
        mediation=mediation, actor=request.user, user=d["profile"].user, role=d.get("role") or ""),
        _("Team member added."))


@login_required
@require_POST
def team_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    mediation = _get(request, pk)
    if not cw.may_work(request.user, mediation):
        raise PermissionDenied(_("You may not work on this mediation."))
    row = get_object_or_404(TeamMember, pk=member, mediation=mediation)
    try:
        cw.team_remove(member=row, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Team member removed."))
    return redirect(reverse("mediation:detail", args=[pk]) + "#team")


@login_required
@require_POST
def session_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _get(request, pk)
    form = ScheduleForm(request.POST, mediation=mediation)
    booking = None
    if request.POST.get("booking"):
        booking = Booking.objects.filter(pk=request.POST["booking"], mediations=mediation).first()
    return _act(request, mediation, form, "schedule", lambda d: cw.session_schedule(
        mediation=mediation, actor=request.user, scheduled_at=d["scheduled_at"], mode=d["mode"],
        service_point=d.get("service_point"), place=d.get("place") or "", video_link=d.get("video_link") or "",
        booking=booking), _("Session scheduled."))


def _session(mediation: Mediation, session: int) -> Session:
    return get_object_or_404(Session, pk=session, mediation=mediation)


@login_required
@require_POST
def session_hold(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    mediation = _get(request, pk)
    row = _session(mediation, session)
    staff = [mediation.mediator, *[m.user for m in mediation.team.select_related("user")]]
    form = HoldForm(request.POST, session=row, parties=mediation.case.parties.order_by("pk"), staff=staff)
    return _act(request, mediation, form, f"hold{row.pk}", lambda d: cw.session_hold(
        session=row, actor=request.user, attendees=form.attendees(), record=d.get("record") or ""),
        _("Session recorded as held."))


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    mediation = _get(request, pk)
    row = _session(mediation, session)
    form = CancelForm(request.POST, session=row)
    return _act(request, mediation, form, f"cancel{row.pk}", lambda d: cw.session_cancel(
        session=row, actor=request.user, reason=d["reason"], no_show=d.get("no_show", False)),
        _("Session cancelled."))


@login_required
@require_POST
def attendee_add(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    mediation = _get(request, pk)
    row = _session(mediation, session)
    form = AttendeeForm(request.POST, session=row)
    return _act(request, mediation, form, f"att{row.pk}", lambda d: cw.attendee_add(
        session=row, actor=request.user, attendee=cw.AttendeeInput(name=d["name"], role=d["role"], part=d.get("part"))),
        _("Added to those present."))


@login_required
@require_POST
def record_sign(request: HttpRequest, pk: int, attendee: int) -> HttpResponse:
    mediation = _get(request, pk)
    if not cw.may_work(request.user, mediation):
        raise PermissionDenied(_("You may not work on this mediation."))
    row = get_object_or_404(Attendee, pk=attendee, session__mediation=mediation)
    try:
        cw.record_sign(attendee=row, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render(request, _get(request, pk), status=400)
    messages.success(request, _("Signature recorded."))
    return redirect(reverse("mediation:detail", args=[pk]) + f"#session-{row.session_id}")


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _get(request, pk)
    form = ExtendForm(request.POST)
    return _act(request, mediation, form, "extend", lambda d: cw.mediation_extend(
        mediation=mediation, actor=request.user, days=d["days"], reason=d["reason"],
        applicant_consents=d.get("applicant_consents", False), respondent_consents=d.get("respondent_consents", False)),
        _("Time limit extended."))


@login_required
@require_POST
def conclude(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _get(request, pk)
    form = ConcludeForm(request.POST)
    return _act(request, mediation, form, "conclude", lambda d: cw.mediation_conclude(
        mediation=mediation, actor=request.user, outcome=d["outcome"], note=d.get("note") or "",
        referral=d.get("referral") or ""), _("Mediation concluded."))
