"""Pages of the legal routes (thin: the services decide and write). Outside the user's scope everything is 404.

/legal/                      the mediator's desk: agreements ready for judicial confirmation, applications, referrals
/legal/agreements/<id>/apply/ the prepared application (court suggested with its reasons, materials, clocks) → file
/legal/applications/<id>/    an application with its clocks; the court's steps and the mediator's after a refusal
/legal/court/                the court clerk's inbox (applications to their court, pre-litigation mediations)
/legal/inbox/                hand-overs (six linkages) and referrals received by the user's units
"""

from __future__ import annotations

import io
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases.models import Case, Channel, Party
from fengqiao.cases.services import PartyInput
from fengqiao.core.masking import mask_name
from fengqiao.legal import forms as lf
from fengqiao.legal import linkages as lk
from fengqiao.legal import selectors as sel
from fengqiao.legal import services as ls
from fengqiao.legal.models import ConfirmationApplication, Linkage, Referral
from fengqiao.mediation.casework import mediations_visible_to
from fengqiao.mediation.models import Agreement
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import OrgUnit
from fengqiao.privacy.services import (
    PURPOSE_COURT_APPLICATION,
    PURPOSE_COURT_PACKAGE,
    PURPOSE_REFERRAL,
    export_document,
)

AppStatus = ConfirmationApplication.Status


def add_errors(form, exc: ValidationError) -> None:
    """The service's messages onto the form: on their field when the form has it, else on the whole form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _materials(app_or_items, *, mask: bool = True) -> list[dict[str, str]]:
    items = app_or_items.materials if isinstance(app_or_items, ConfirmationApplication) else app_or_items
    shown = []
    for m in items:
        label = _(ls.MATERIAL_LABELS.get(m["item"], m["item"]))
        party = mask_name(m["party"]) if mask and m.get("party") else m.get("party", "")
        detail = m.get("detail", "")
        if m["item"] == "service_address":
            detail = _("address and phone on file") if detail else _("missing: ask the party")
        elif m["item"] == "identity":
            detail = dict(Party.IdType.choices).get(detail, "") or _("copy of the identity document")
        elif m["item"] == "property":
            detail = (_("terms %(terms)s") % {"terms": detail}) if detail else _("only if the agreement concerns property")
        shown.append({"label": label, "party": party, "detail": detail})
    return shown


# --- the mediator's desk ---------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    if not scope.grants:
        raise Http404
    apps = list(sel.applications_visible_to(user)[:50])
    now = timezone.now()
    return render(request, "legal/home.html", {
        "ready": [(a, ls.rules.apply_due(a.effective_at), a.effective_at and now > ls.rules.apply_due(a.effective_at))
                  for a in sel.ready_agreements(user)[:50]],
        "applications": [(a, ls.application_clocks(a, now)) for a in apps],
        "referrals": list(sel.referrals_visible_to(user)[:30]),
        "is_clerk": bool(ls.clerk_court_ids(user)),
        "can_mediate": Capability.CASE_MEDIATE in scope.capabilities,
    })


def _agreement_for(request: HttpRequest, pk: int) -> Agreement:
    agreement = get_object_or_404(
        Agreement.objects.filter(mediation__in=mediations_visible_to(request.user))
        .select_related("mediation__case", "mediation__unit"), pk=pk)
    if not may(request.user, Capability.CASE_MEDIATE, agreement.mediation.case):
        raise Http404
    return agreement


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The prepared application: one look, one click to file."""
    agreement = _agreement_for(request, pk)
    draft = ls.application_draft(agreement=agreement)
    form = lf.ApplyForm(request.POST or None, late=draft.late,
                        initial={"court": draft.court, "matter_type": draft.matter})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                app = ls.application_file(
                    agreement=agreement, actor=request.user, court=form.cleaned_data["court"],
                    matter_type=form.cleaned_data["matter_type"],
                    late_acknowledged=form.cleaned_data.get("late_acknowledged", False),
                    late_reason=form.cleaned_data.get("late_reason", ""))
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Application filed with %(court)s.") % {"court": app.court.name})
                return redirect("legal:application", pk=app.pk)
        status = 400
    return render(request, "legal/apply.html", {
        "agreement": agreement, "draft": draft, "form": form, "materials": _materials(draft.materials),
        "case": agreement.mediation.case,
    }, status=status)


# --- an application ---------------------------------------------------------------------------------------------


def _application_for(request: HttpRequest, pk: int) -> ConfirmationApplication:
    return get_object_or_404(sel.applications_visible_to(request.user), pk=pk)


def _application_page(request: HttpRequest, app: ConfirmationApplication, *, bound: dict | None = None,
                      status: int = 200) -> HttpResponse:
    user = request.user
    is_clerk = app.court_id in ls.clerk_court_ids(user)
    can_mediate = may(user, Capability.CASE_MEDIATE, app.case)
    bound = bound or {}
    forms: dict = {}
    if is_clerk and app.status == AppStatus.FILED:
        forms["accept"] = bound.get("accept") or lf.AcceptForm(prefix="accept")
        forms["not_accept"] = bound.get("not_accept") or lf.NotAcceptForm(prefix="not_accept")
    if is_clerk and app.status == AppStatus.ACCEPTED:
        forms["rule"] = bound.get("rule") or lf.RulingForm(prefix="rule")
        if app.extended_at is None:
            forms["extend"] = bound.get("extend") or lf.ExtendForm(prefix="extend")
    if can_mediate and app.status in (AppStatus.REFUSED, AppStatus.NOT_ACCEPTED) and not app.after_refusal:
        forms["after_refusal"] = bound.get("after_refusal") or lf.AfterRefusalForm(prefix="after_refusal")
    return render(request, "legal/application.html", {
        "app": app, "clocks": ls.application_clocks(app), "materials": _materials(app), "forms": forms,
        "is_clerk": is_clerk, "can_mediate": can_mediate, "case": app.case,
        "case_visible": Case.objects.visible_to(user).filter(pk=app.case_id).exists(),
        "referrals": list(app.referrals.select_related("to_unit")),
    }, status=status)


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, _application_for(request, pk))


APPLICATION_FORMS = {"accept": lf.AcceptForm, "not_accept": lf.NotAcceptForm, "extend": lf.ExtendForm,
                     "rule": lf.RulingForm, "after_refusal": lf.AfterRefusalForm}


@login_required
@require_POST
def application_act(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    app = _application_for(request, pk)
    form_class = APPLICATION_FORMS.get(move)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=move)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if move == "accept":
                ls.application_accept(application=app, actor=request.user,
                                      court_case_number=data["court_case_number"])
                done = _("Accepted. The court decides by %(due)s.") % {
                    "due": timezone.localtime(app.decide_due_at).strftime("%Y-%m-%d")}
            elif move == "not_accept":
                ls.application_not_accept(application=app, actor=request.user, reason=data["reason"])
                done = _("Recorded: not accepted.")
            elif move == "extend":
                ls.application_extend(application=app, actor=request.user, approved_by=data["approved_by"],
                                      reason=data["reason"])
                done = _("The decision time was extended by 10 days.")
            elif move == "rule":
                ls.application_rule(application=app, actor=request.user, confirmed=data["decision"] == "confirm",
                                    ruling_number=data["ruling_number"], ruling_date=data["ruling_date"],
                                    reason=data["reason"])
                done = _("The ruling is recorded.")
            else:
                result = ls.application_after_refusal(application=app, actor=request.user, route=data["route"])
                if isinstance(result, Referral):
                    messages.success(request, _("Referred to %(unit)s.") % {"unit": result.to_unit.name})
                    return redirect("legal:referral", pk=result.pk)
                done = _("A new mediation is open on the case.")
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("legal:application", pk=app.pk)
    app = _application_for(request, pk)
    return _application_page(request, app, bound={move: form}, status=400)


def _record_download(app: ConfirmationApplication, user, what: str) -> None:
    ls._step(app.case, step="confirmation_downloaded", actor=user, data={"application": app.pk, "what": what})


@login_required
def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from fengqiao.legal.documents import application_pdf as render_pdf

    app = _application_for(request, pk)
    export_document(request.user, case=app.case, what="court_application", subject=f"judicial-confirmation {app.pk}",
                    purpose=PURPOSE_COURT_APPLICATION)
    body = render_pdf(app)
    _record_download(app, request.user, "pdf")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="judicial-confirmation-{app.pk}.pdf"'
    return response


@login_required
def application_package(request: HttpRequest, pk: int) -> HttpResponse:
    """The package for the court: the application (with the materials list) and the agreement as PDFs."""
    from fengqiao.legal.documents import agreement_pdf_or_none
    from fengqiao.legal.documents import application_pdf as render_pdf

    app = _application_for(request, pk)
    export_document(request.user, case=app.case, what="court_package", subject=f"judicial-confirmation {app.pk}",
                    purpose=PURPOSE_COURT_PACKAGE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("01-司法确认申请书.pdf", render_pdf(app))
        agreement = agreement_pdf_or_none(app.agreement, request)
        if agreement is not None:
            archive.writestr("02-人民调解协议书.pdf", agreement)
    _record_download(app, request.user, "package")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="judicial-confirmation-{app.pk}.zip"'
    return response


# --- the court's inbox -----------------------------------------------------------------------------------------


@login_required
def court(request: HttpRequest) -> HttpResponse:
    courts = ls.clerk_court_ids(request.user)
    if not courts:
        raise Http404
    now = timezone.now()
    apps = (ConfirmationApplication.objects.filter(court_id__in=courts)
            .select_related("agreement", "court", "case", "filed_by").order_by("accept_due_at"))
    waiting = [(a, ls.application_clocks(a, now)) for a in apps.filter(status=AppStatus.FILED)]
    deciding = [(a, ls.application_clocks(a, now)) for a in apps.filter(status=AppStatus.ACCEPTED)
                .order_by("decide_due_at")]
    decided = [(a, []) for a in apps.exclude(status__in=[AppStatus.FILED, AppStatus.ACCEPTED])
               .order_by("-closed_at")[:30]]
    invited = (Linkage.objects.filter(from_unit_id__in=courts, pre_litigation=True)
               .select_related("case", "to_unit", "mediation").order_by("-sent_at")[:50])
    return render(request, "legal/court.html", {
        "waiting": waiting, "deciding": deciding, "decided": decided, "invited": invited,
        "courts": OrgUnit.objects.filter(pk__in=courts),
    })


@login_required
def pre_litigation(request: HttpRequest) -> HttpResponse:
    courts = list(OrgUnit.objects.filter(pk__in=ls.clerk_court_ids(request.user)))
    if not courts:
        raise Http404
    the_court = courts[0]
    district = the_court.region.district
    form = lf.PreLitigationForm(request.POST or None, district=district)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            parties = [PartyInput(role=Party.PartyRole.APPLICANT, name=d["plaintiff"], phone=d["plaintiff_phone"]),
                       PartyInput(role=Party.PartyRole.RESPONDENT, name=d["defendant"], phone=d["defendant_phone"])]
            try:
                link = lk.pre_litigation_send(court=the_court, committee=d["committee"], actor=request.user,
                                              title=d["title"], description=d["description"], region=d["community"],
                                              parties=parties, reference=d["reference"], amount=d["amount"],
                                              channel=Channel.WALK_IN)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Sent to %(unit)s as case %(code)s.")
                                 % {"unit": link.to_unit.name, "code": link.case.code})
                return redirect("legal:court")
        status = 400
    return render(request, "legal/form_page.html", {
        "title": _("Invite pre-litigation mediation (诉前调解)"),
        "intro": _("The dispute arrives at the mediation committee as a case; the result comes back to this inbox "
                   "when the mediation concludes."),
        "form": form, "submit": _("Send to the committee"), "back": "legal:court",
    }, status=status)


# --- hand-overs (six linkages) ------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    units = lk.member_units(request.user)
    if not units:
        raise Http404
    received, sent = lk.linkages_for_unit(units)
    return render(request, "legal/inbox.html", {
        "received": received.order_by("status", "accept_due_at")[:100], "sent": sent.order_by("-sent_at")[:50],
        "referrals": Referral.objects.filter(to_unit_id__in=units).select_related("case", "from_unit", "to_unit")[:50],
        "units": OrgUnit.objects.filter(pk__in=units),
    })


def _case_for(request: HttpRequest, code: str) -> Case:
    case = sel.staff_cases(request.user).filter(code=(code or "").strip().upper()).first()
    if case is None:
        raise Http404
    return case


@login_required
def linkage_new(request: HttpRequest) -> HttpResponse:
    case = _case_for(request, request.GET.get("case") or request.POST.get("case", ""))
    own = list(OrgUnit.objects.filter(pk__in=lk.member_units(request.user)))
    if not own:
        raise Http404
    form = lf.LinkageForm(request.POST or None, own_units=own, district=case.region.district,
                          initial={"from_unit": own[0]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                link = lk.linkage_send(kind=d["kind"], case=case, from_unit=d["from_unit"], to_unit=d["to_unit"],
                                       actor=request.user, note=d["note"], reference=d["reference"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Handed over to %(unit)s.") % {"unit": link.to_unit.name})
                return redirect("legal:linkage", pk=link.pk)
        status = 400
    return render(request, "legal/form_page.html", {
        "title": _("Hand over case %(code)s (six linkages)") % {"code": case.code}, "case": case, "form": form,
        "submit": _("Hand over"), "back": "legal:inbox",
    }, status=status)


LINKAGE_FORMS = {"return": lf.ReturnForm, "conclude": lf.ConcludeForm}


def _linkage_page(request: HttpRequest, link: Linkage, *, bound: dict | None = None, status: int = 200):
    receiver = link.to_unit_id in lk.member_units(request.user)
    bound = bound or {}
    forms = {}
    if receiver and link.status in (Linkage.Status.SENT, Linkage.Status.ACCEPTED):
        forms["return"] = bound.get("return") or lf.ReturnForm(prefix="return")
    if receiver and link.status == Linkage.Status.ACCEPTED and not link.pre_litigation:
        forms["conclude"] = bound.get("conclude") or lf.ConcludeForm(prefix="conclude")
    return render(request, "legal/linkage.html", {
        "link": link, "receiver": receiver, "forms": forms, "case": link.case,
        "case_visible": Case.objects.visible_to(request.user).filter(pk=link.case_id).exists(),
        "may_report": receiver and link.pre_litigation and link.status == Linkage.Status.ACCEPTED
        and link.mediation is not None and link.mediation.status == "concluded",
    }, status=status)


@login_required
def linkage(request: HttpRequest, pk: int) -> HttpResponse:
    return _linkage_page(request, get_object_or_404(sel.linkages_visible_to(request.user), pk=pk))


@login_required
@require_POST
def linkage_act(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    link = get_object_or_404(sel.linkages_visible_to(request.user), pk=pk)
    if move in ("accept", "report"):
        try:
            if move == "accept":
                lk.linkage_accept(linkage=link, actor=request.user)
                messages.success(request, _("Accepted."))
            else:
                lk.pre_litigation_report(linkage=link, actor=request.user)
                messages.success(request, _("The result was sent back to the court."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("legal:linkage", pk=link.pk)
    form_class = LINKAGE_FORMS.get(move)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=move)
    if form.is_valid():
        try:
            if move == "return":
                lk.linkage_return(linkage=link, actor=request.user, reason=form.cleaned_data["reason"])
            else:
                lk.linkage_conclude(linkage=link, actor=request.user, outcome=form.cleaned_data["outcome"],
                                    settled=form.cleaned_data["settled"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("legal:linkage", pk=link.pk)
    return _linkage_page(request, link, bound={move: form}, status=400)


# --- referrals -----------------------------------------------------------------------------------------------------


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    case = _case_for(request, request.GET.get("case") or request.POST.get("case", ""))
    if lk.acting_unit(request.user, case) is None:
        raise Http404
    form = lf.ReferralForm(request.POST or None, initial={"summary": f"{case.title}\n{case.description}"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                referral = lk.referral_send(case=case, actor=request.user, kind=d["kind"], to_unit=d["to_unit"],
                                            summary=d["summary"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Referred to %(unit)s.") % {"unit": referral.to_unit.name})
                return redirect("legal:referral", pk=referral.pk)
        status = 400
    return render(request, "legal/form_page.html", {
        "title": _("Refer case %(code)s to arbitration or litigation") % {"code": case.code}, "case": case,
        "form": form, "submit": _("Refer"), "back": "legal:home",
    }, status=status)


REFERRAL_FORMS = {"receive": lf.ReceiveForm, "decide": lf.DecideForm}


def _referral_page(request: HttpRequest, referral: Referral, *, bound: dict | None = None, status: int = 200):
    may_record = referral.to_unit_id in lk.member_units(request.user) or \
        lk.acting_unit(request.user, referral.case) is not None
    bound = bound or {}
    forms = {}
    if may_record and referral.status == Referral.Status.SENT:
        forms["receive"] = bound.get("receive") or lf.ReceiveForm(prefix="receive")
    if may_record and referral.status != Referral.Status.DECIDED:
        forms["decide"] = bound.get("decide") or lf.DecideForm(prefix="decide")
    return render(request, "legal/referral.html", {
        "referral": referral, "forms": forms, "case": referral.case,
        "case_visible": Case.objects.visible_to(request.user).filter(pk=referral.case_id).exists(),
    }, status=status)


@login_required
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_page(request, get_object_or_404(sel.referrals_visible_to(request.user), pk=pk))


@login_required
@require_POST
def referral_act(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    ref = get_object_or_404(sel.referrals_visible_to(request.user), pk=pk)
    form_class = REFERRAL_FORMS.get(move)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=move)
    if form.is_valid():
        try:
            if move == "receive":
                lk.referral_receive(referral=ref, actor=request.user, reference=form.cleaned_data["reference"])
            else:
                lk.referral_decide(referral=ref, actor=request.user, outcome=form.cleaned_data["outcome"],
                                   result=form.cleaned_data["result"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("legal:referral", pk=ref.pk)
    return _referral_page(request, ref, bound={move: form}, status=400)


@login_required
def referral_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from fengqiao.legal.documents import referral_pdf as render_pdf

    ref = get_object_or_404(sel.referrals_visible_to(request.user), pk=pk)
    export_document(request.user, case=ref.case, what="referral", subject=f"referral {ref.pk}",
                    purpose=PURPOSE_REFERRAL)
    response = HttpResponse(render_pdf(ref), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{ref.pk}.pdf"'
    return response
