"""Commands on the web (/commands/): the list of one's commands, issuing from the case page, the command page with
its live thread (htmx polls the thread and the departments' check-ins), check-in with the phone's position and a
photo, progress, signature, confirmation, escalation. Thin: fengqiao.commands.services does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases.models import Case
from fengqiao.commands import rules
from fengqiao.commands import selectors as sel
from fengqiao.commands import services as svc
from fengqiao.commands.forms import CheckInForm, IssueForm, PostForm, ReasonForm
from fengqiao.commands.models import CheckIn, Command, CommandTarget, Rank, StaffRank
from fengqiao.org.access import Capability, may, may_work_on, scope_for
from fengqiao.org.models import Membership, OrgUnit
from fengqiao.org.rules import CENTRE_KINDS


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def departments_for(issuer: OrgUnit):
    # the district's path from the issuer's own (city/district/…: no query up the tree)
    district_path = "/" + "/".join(issuer.region.path.strip("/").split("/")[:2]) + "/"
    return (OrgUnit.objects.filter(is_active=True, region__path__startswith=district_path)
            .filter(~Q(kind__in=CENTRE_KINDS) | Q(path__startswith=issuer.path))
            .exclude(pk=issuer.pk).select_related("region").order_by("kind", "name"))


@login_required
def command_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    waiting = list(sel.waiting_for(user))
    issued = list(sel.issued_by(user).filter(status__in=[Command.Status.AWAITING_SIGNATURE, Command.Status.ISSUED]))
    to_sign = list(sel.to_sign(user))
    closed = list(sel.commands_visible_to(user).exclude(status__in=[Command.Status.AWAITING_SIGNATURE,
                                                                   Command.Status.ISSUED])
                  .select_related("case", "issuer_unit").order_by("-closed_at")[:30])
    if not (sel.issuing_units(user) or any(g.role in svc.DEPARTMENT_ROLES for g in scope_for(user).grants)):
        raise Http404(_("There are no commands for you."))
    return render(request, "commands/list.html", {"waiting": waiting, "issued": issued, "to_sign": to_sign,
                                                  "closed": closed, "now": timezone.now()})


@login_required
@require_POST
def command_new(request: HttpRequest, code: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.visible_to(request.user), code=code)
    issuers = sel.issuing_units(request.user)
    if not issuers or not may(request.user, Capability.CASE_DISPATCH, case):
        raise PermissionDenied(_("You may not issue commands on this case."))
    issuer = next((u for u in issuers if str(u.pk) == request.POST.get("issuer")), issuers[0])
    form = IssueForm(request.POST, issuers=issuers, departments=departments_for(issuer))
    if form.is_valid():
        try:
            command = svc.command_issue(case=case, actor=request.user, issuer_unit=form.cleaned_data["issuer"],
                                        level=form.cleaned_data["level"], units=list(form.cleaned_data["units"]),
                                        instructions=form.cleaned_data["instructions"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Command %(number)s is drawn up.") % {"number": command.number}
                             if command.status == Command.Status.AWAITING_SIGNATURE else
                             _("Command %(number)s is issued.") % {"number": command.number})
            return redirect("commands:detail", number=command.number)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("cases:detail", code=case.code)


def _command(request: HttpRequest, number: str) -> Command:
    command = get_object_or_404(sel.commands_visible_to(request.user).select_related(
        "case__region", "issuer_unit__region", "issued_by", "signed_by", "closed_by"), number=number)
    # A staff page: the resident of the case reads "departments called to the scene" on their timeline, never the
    # instructions, check-ins and photos (fengqiao/org/policy.py). The command group itself always passes.
    if not (sel.in_command_group(request.user, command) or may_work_on(request.user, command.case)):
        raise Http404
    return command


def _live_context(request: HttpRequest, command: Command) -> dict:
    targets = list(command.targets.select_related("unit", "checkin__by").prefetch_related("checkin__people__user"))
    now = timezone.now()
    return {
        "command": command, "targets": targets,
        "posts": list(command.posts.select_related("author", "unit")),
        "now": now,
        "overdue": command.status == Command.Status.ISSUED and command.due_at and now > command.due_at,
    }


@login_required
def command_detail(request: HttpRequest, number: str) -> HttpResponse:
    command = _command(request, number)
    user = request.user
    context = _live_context(request, command)
    mine = [t for t in context["targets"] if t.status != CommandTarget.Status.CHECKED_IN
            and Membership.objects.filter(user=user, unit=t.unit, role__in=svc.DEPARTMENT_ROLES,
                                          is_active=True).exists()]
    checkin_forms = []
    if command.status == Command.Status.ISSUED:
        for target in mine:
            members = (Membership.objects.filter(unit=target.unit, is_active=True).select_related("user")
                       .order_by("user__username"))
            ranks = dict(StaffRank.objects.filter(user__in=[m.user for m in members]).values_list("user", "rank"))
            choices = list(dict.fromkeys(
                (str(m.user.pk), f"{m.user.name or m.user.username} · {Rank(ranks.get(m.user.pk, 0)).label}")
                for m in members))
            checkin_forms.append((target, CheckInForm(members=choices, prefix=f"t{target.pk}",
                                                      initial={"people": [str(user.pk)]})))
    is_issuer = Membership.objects.filter(user=user, unit=command.issuer_unit, role__in=svc.ISSUER_ROLES,
                                          is_active=True).exists() and may(user, Capability.CASE_DISPATCH,
                                                                           command.case)
    context.update({
        "checkin_forms": checkin_forms,
        "can_sign": command.status == Command.Status.AWAITING_SIGNATURE and Membership.objects.filter(
            user=user, unit=command.issuer_unit, role__in=svc.HEAD_ROLES, is_active=True).exists(),
        "can_post": command.is_open and svc.post_unit(command, user) is not None,
        "can_close": command.status == Command.Status.ISSUED and is_issuer,
        "can_withdraw": command.is_open and is_issuer,
        "post_form": PostForm(), "reason_form": ReasonForm(),
        "case_visible": Case.objects.visible_to(user).filter(pk=command.case_id).exists(),
        "rank_label": Rank(command.min_rank).label,
    })
    return render(request, "commands/detail.html", context)


@login_required
def command_live(request: HttpRequest, number: str) -> HttpResponse:
    """The part of the command page that changes (check-ins, flags, the thread), polled by htmx."""
    command = _command(request, number)
    return render(request, "commands/_live.html", _live_context(request, command))


def _act(request: HttpRequest, command: Command, work) -> HttpResponse:
    try:
        text = work()
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, text)
    return redirect("commands:detail", number=command.number)


@login_required
@require_POST
def command_sign(request: HttpRequest, number: str) -> HttpResponse:
    command = _command(request, number)
    if not Membership.objects.filter(user=request.user, unit=command.issuer_unit, role__in=svc.HEAD_ROLES,
                                     is_active=True).exists():
        raise PermissionDenied(_("Only the head of the issuing centre signs its commands."))
    return _act(request, command, lambda: (svc.command_sign(command=command, actor=request.user),
                                           _("Signed and issued: the departments are told."))[1])


@login_required
@require_POST
def command_checkin(request: HttpRequest, number: str, target: int) -> HttpResponse:
    command = _command(request, number)
    target_row = get_object_or_404(CommandTarget.objects.select_related("unit"), pk=target, command=command)
    if not Membership.objects.filter(user=request.user, unit=target_row.unit, role__in=svc.DEPARTMENT_ROLES,
                                     is_active=True).exists():
        raise PermissionDenied(_("Only a member of %(unit)s checks in for it.") % {"unit": target_row.unit.name})
    members = list(Membership.objects.filter(unit=target_row.unit, is_active=True).select_related("user"))
    form = CheckInForm(request.POST, request.FILES, members=[(str(m.user.pk), m.user.username) for m in members],
                       prefix=f"t{target_row.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("commands:detail", number=command.number)
    chosen = {str(p) for p in form.cleaned_data["people"]}
    people = list(dict.fromkeys(m.user for m in members if str(m.user.pk) in chosen))
    data = form.cleaned_data

    def work() -> str:
        result = svc.command_checkin(target=target_row, actor=request.user, on_site=data["mode"] == "on_site",
                                     people=people, latitude=data["latitude"], longitude=data["longitude"],
                                     photo=data["photo"], note=data["note"])
        if result.flags:
            return _("Checked in. Recorded: %(flags)s.") % {"flags": "、".join(rules.flag_label(f)
                                                                            for f in result.flags)}
        return _("Checked in.")

    return _act(request, command, work)


@login_required
def command_photo(request: HttpRequest, number: str, target: int) -> HttpResponse:
    """The photo of a check-in, to the command group only (the file store is never served directly)."""
    command = _command(request, number)
    checkin = get_object_or_404(CheckIn.objects.select_related("target"), target__pk=target, target__command=command)
    if not checkin.photo:
        raise Http404
    return FileResponse(checkin.photo.open("rb"), filename=checkin.photo.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def command_post(request: HttpRequest, number: str) -> HttpResponse:
    command = _command(request, number)
    if svc.post_unit(command, request.user) is None:
        raise PermissionDenied(_("Only the issuing centre and the commanded departments write in this thread."))
    form = PostForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("commands:detail", number=command.number)
    return _act(request, command, lambda: (svc.command_post(command=command, actor=request.user,
                                                            text=form.cleaned_data["text"]), _("Reported."))[1])


@login_required
@require_POST
def command_close(request: HttpRequest, number: str, move: str) -> HttpResponse:
    command = _command(request, number)
    if not (Membership.objects.filter(user=request.user, unit=command.issuer_unit, role__in=svc.ISSUER_ROLES,
                                      is_active=True).exists() and may(request.user, Capability.CASE_DISPATCH,
                                                                       command.case)):
        raise PermissionDenied(_("Only the issuing centre closes or escalates its command."))
    form = ReasonForm(request.POST)
    text = form.data.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    if move == "confirm":
        return _act(request, command, lambda: (svc.command_confirm(command=command, actor=request.user,
                                                                   reason_text=text), _("Confirmed fulfilled."))[1])
    if move == "escalate":
        def escalate() -> str:
            higher = svc.command_escalate(command=command, actor=request.user, reason_text=text)
            return _("Escalated: %(number)s waits for the signature of %(unit)s.") % {
                "number": higher.number, "unit": higher.issuer_unit.name}
        return _act(request, command, escalate)
    if move == "withdraw":
        return _act(request, command, lambda: (svc.command_withdraw(command=command, actor=request.user,
                                                                    reason_text=text), _("Withdrawn."))[1])
    raise Http404
