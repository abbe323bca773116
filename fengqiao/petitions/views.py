"""Petition pages (thin: the services do the work): the petition office's list with its clocks, registering a case
as a petition, the petition page with its moves, the documents as PDFs, and the petitioner's own pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases.models import Case, Party
from fengqiao.core.masking import mask_name
from fengqiao.org.access import Capability, scope_for
from fengqiao.petitions import documents
from fengqiao.petitions import services as ps
from fengqiao.petitions.forms import FORMS, RegisterForm, form_for
from fengqiao.petitions.models import Petition
from fengqiao.petitions.rules import Move, State, TransitionRefused, allowed_moves, step_label
from fengqiao.privacy.services import PURPOSE_PETITION, export_document

PETITIONER_MOVES = frozenset({Move.REQUEST_REVIEW, Move.REQUEST_RE_REVIEW})


def _call(move: str, petition: Petition, user, d: dict) -> None:
    """Run `move` through its service with the form's cleaned data."""
    p, on = petition, d.get("on")
    calls = {
        Move.ACCEPT: lambda: ps.petition_accept(petition=p, actor=user, organ=d["organ"], on=on, note=d["note"]),
        Move.NOT_ACCEPT: lambda: ps.petition_not_accept(petition=p, actor=user, ground=d["ground"],
                                                        reason=d["reason"], on=on),
        Move.TRANSFER: lambda: ps.petition_transfer(petition=p, actor=user, organ=d["organ"], reason=d["reason"],
                                                    on=on),
        Move.START: lambda: ps.petition_start(petition=p, actor=user, on=on),
        Move.EXTEND: lambda: ps.petition_extend(petition=p, actor=user, days=d["days"], reason=d["reason"],
                                                approved_by=d["approved_by"]),
        Move.REPLY: lambda: ps.petition_reply(petition=p, actor=user, facts=d["facts"], opinion=d["opinion"],
                                              basis=d["basis"], review_organ=d["next_organ"], on=on),
        Move.REQUEST_REVIEW: lambda: ps.petition_request_review(petition=p, actor=user, on=on,
                                                                organ_name=d["organ_name"]),
        Move.HEARING_START: lambda: ps.petition_hearing_start(petition=p, actor=user, on=on, note=d["note"]),
        Move.HEARING_END: lambda: ps.petition_hearing_end(petition=p, actor=user, on=on),
        Move.DECIDE_REVIEW: lambda: ps.petition_decide_review(petition=p, actor=user, facts=d["facts"],
                                                              opinion=d["opinion"], basis=d["basis"],
                                                              re_review_organ=d["next_organ"], on=on),
        Move.REQUEST_RE_REVIEW: lambda: ps.petition_request_re_review(petition=p, actor=user, on=on,
                                                                      organ_name=d["organ_name"]),
        Move.DECIDE_RE_REVIEW: lambda: ps.petition_decide_re_review(petition=p, actor=user, facts=d["facts"],
                                                                    opinion=d["opinion"], basis=d["basis"], on=on),
        Move.CLOSE: lambda: ps.petition_close(petition=p, actor=user, petitioner_accepts=d["petitioner_accepts"],
                                              on=on),
        Move.LINK_REPEAT: lambda: ps.petition_link_repeat(petition=p, actor=user, earlier=d["earlier"]),
        Move.UNLINK_REPEAT: lambda: ps.petition_unlink_repeat(petition=p, actor=user, reason=d["reason"]),
    }
    calls[move]()


def _petition(request: HttpRequest, number: str) -> tuple[Petition, bool]:
    """The petition and whether the user works it (staff) — else they are its petitioner; anyone else: 404."""
    qs = Petition.objects.select_related("case", "office", "organ", "repeat_of", "extension_approved_by")
    petition = qs.visible_to(request.user).filter(number=number).first()
    if petition is not None:
        return petition, ps.may_work(request.user, petition)
    petition = qs.of_petitioner(request.user).filter(number=number).first()
    if petition is None:
        raise Http404(_("No petition with this number is visible to you."))
    return petition, False


def _clock_row(petition: Petition, today):
    clock = ps.petition_clock(petition, today)
    return {"p": petition, "clock": clock, "days_left": clock.days_left(today) if clock else None,
            "overdue": bool(clock and clock.overdue(today)), "expired": bool(clock and clock.expired(today))}


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    """The petition office's petitions with their running clocks; overdue ones first."""
    scope = scope_for(request.user)
    if not ({Capability.CASE_PETITION, Capability.AUDIT_READ} & scope.capabilities):
        # Not petition staff: a petitioner goes to their own petitions; anyone else finds nothing here.
        if Petition.objects.of_petitioner(request.user).exists():
            return redirect(reverse("petitions:mine"))
        raise Http404(_("No petitions are visible to you."))
    petitions = Petition.objects.visible_to(request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        petitions = petitions.open()
    elif state in State.values:
        petitions = petitions.filter(state=state)
    today = timezone.localdate()
    rows = [_clock_row(p, today) for p in petitions.select_related("case", "office", "organ")
            .prefetch_related("opinions", "hearings", "petitioners").order_by("due_on", "-registered_on")[:200]]
    rows.sort(key=lambda r: (not r["overdue"], r["days_left"] if r["days_left"] is not None else 10**6))
    return render(request, "petitions/list.html", {
        "rows": rows, "state": state, "states": State.choices, "today": today,
        "overdue_count": sum(1 for r in rows if r["overdue"])})


def _case_for_register(request: HttpRequest, code: str) -> Case:
    case = Case.objects.visible_to(request.user).filter(code=code).first()
    if case is None:
        raise Http404(_("No case with this code is visible to you."))
    if not ps.may_register(request.user, case):
        raise PermissionDenied(_("Only the staff of a petition office serving this place register petitions."))
    return case


@login_required
def petition_register(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_for_register(request, code)
    offices = ps.petition_offices_for(request.user, case)
    form = RegisterForm(request.POST or None, case=case, offices=offices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                petition = ps.petition_register(
                    case=case, actor=request.user, petitioners=list(d["petitioners"]), matter=d["matter"],
                    form=d["form"], people_count=d["people_count"], registered_on=d["registered_on"],
                    office=d["office"], link_to=d["link_to"])
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("Registered as petition %(number)s.") % {"number": petition.number})
                if petition.repeat_of_id:
                    messages.warning(request, _("Recognised: the same facts were re-reviewed in petition "
                                                "%(number)s.") % {"number": petition.repeat_of.number})
                return redirect(reverse("petitions:detail", args=[petition.number]))
        status = 400
    return render(request, "petitions/register.html", {"case": case, "form": form}, status=status)


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _event_row(event) -> dict:
    data = event.data or {}
    public = ""
    if data.get("public"):
        args = data.get("public_args") or {}
        public = gettext(data["public"]) % args if args else gettext(data["public"])
    return {"at": event.at, "label": step_label(data.get("step", "")), "public": public, "reason": event.reason,
            "actor": event.actor, "actor_unit": event.actor_unit, "is_public": event.is_public}


def _detail(request: HttpRequest, petition: Petition, *, forms=None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    forms = forms or {}
    moves = [m for m in allowed_moves(petition.state)
             if not (m == Move.LINK_REPEAT and petition.repeat_of_id) and not (m == Move.UNLINK_REPEAT and
                                                                                not petition.repeat_of_id)
             and not (m == Move.HEARING_START and petition.clock_paused)
             and not (m == Move.HEARING_END and not petition.clock_paused)]
    actions = [(m, Move(m).label, forms.get(m) or form_for(m, petition)) for m in moves]
    context = {
        "petition": petition,
        "row": _clock_row(petition, today),
        "petitioners": [p.name if p.kind != Party.Kind.PERSON else mask_name(p.name)
                        for p in petition.petitioners.all()],
        "opinions": petition.opinions.all(),
        "hearings": petition.hearings.all(),
        "checks": petition.closing_checks.all(),
        "documents": documents.available_documents(petition),
        "actions": actions,
        "events": [_event_row(e) for e in petition.case.events.filter(action="petition", data__petition=petition.number)
                   .select_related("actor", "actor_unit").order_by("seq")],
    }
    return render(request, "petitions/detail.html", context, status=status)


@login_required
def petition_detail(request: HttpRequest, number: str) -> HttpResponse:
    petition, staff = _petition(request, number)
    if not staff:
        return _petitioner_view(request, petition)
    return _detail(request, petition)


@login_required
@require_POST
def petition_act(request: HttpRequest, number: str, move: str) -> HttpResponse:
    petition, staff = _petition(request, number)
    if move not in FORMS:
        raise Http404(_("Unknown action."))
    if not staff and move not in PETITIONER_MOVES:
        raise PermissionDenied(_("You may not act on this petition."))
    # A petitioner asks with one button: today, to the organ the last opinion named.
    form = form_for(move, petition, request.POST if staff else {})
    render_back = _detail if staff else _petitioner_view
    if not form.is_valid():
        messages.error(request, _("Please correct the fields marked below."))
        return render_back(request, petition, forms={move: form}, status=400)
    try:
        if move == Move.CLOSING_CHECK:
            ps.petition_closing_check(petition=petition, actor=request.user, lines=form.lines())
        else:
            _call(move, petition, request.user, form.cleaned_data)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return render_back(request, petition, status=409)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return render_back(request, petition, status=403)
    except ValidationError as exc:
        _errors_into(form, exc)
        messages.error(request, _("Please correct the fields marked below."))
        return render_back(request, petition, forms={move: form}, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": Move(move).label})
    return redirect(reverse("petitions:detail", args=[petition.number]))


@login_required
def petition_pdf(request: HttpRequest, number: str, slug: str) -> HttpResponse:
    petition, _staff = _petition(request, number)
    if slug not in {s for s, _t in documents.available_documents(petition)}:
        raise Http404(_("This document does not exist (yet)."))
    own = Petition.objects.of_petitioner(request.user).filter(pk=petition.pk).exists()
    export_document(request.user, case=petition.case, what="petition_document", subject=f"{petition.number} {slug}",
                    purpose=PURPOSE_PETITION, own=own)
    body = documents.render(petition, slug)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{petition.number}-{slug}.pdf"'
    return response


# --- the petitioner's own pages ----------------------------------------------------------------------------------


@login_required
def petition_mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [_clock_row(p, today) for p in Petition.objects.of_petitioner(request.user)
            .select_related("case", "office", "organ").prefetch_related("opinions", "hearings")]
    return render(request, "petitions/mine.html", {"rows": rows})


def _petitioner_view(request: HttpRequest, petition: Petition, *, forms=None, status: int = 200) -> HttpResponse:
    from fengqiao.cases.public import public_entries

    forms = forms or {}
    moves = [m for m in allowed_moves(petition.state) if m in PETITIONER_MOVES]
    events = petition.case.events.filter(action="petition", is_public=True, data__petition=petition.number)
    context = {
        "petition": petition,
        "row": _clock_row(petition, timezone.localdate()),
        "documents": documents.available_documents(petition),
        "actions": [(m, Move(m).label, forms.get(m) or form_for(m, petition)) for m in moves],
        "entries": public_entries(events.select_related("actor_unit").order_by("seq"), petition.case),
    }
    return render(request, "petitions/petitioner.html", context, status=status)
