"""Agreement pages (/agreements/): drawing up on a mediation, the agreement page and its actions, the PDF and the
scan, follow-up visits, the resident's copy from the tracking page, and the public verification page.

Thin: `fengqiao.mediation.agreements` decides and writes. Outside the user's scope → 404. The panel
(`mediation/agreement/_panel.html`, on the mediation page) and the agreement page share `panel_context`.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.cases.models import Case
from fengqiao.core.masking import mask_id, mask_name, mask_phone
from fengqiao.intake import tracking
from fengqiao.intake.limits import over_limit
from fengqiao.intake.views import rate_limited
from fengqiao.mediation import agreements as svc
from fengqiao.mediation.documents import agreement_pdf, verification_url
from fengqiao.mediation.forms_agreement import (
    AgreementForm,
    FollowUpForm,
    OralForm,
    ScanForm,
    SignPartyForm,
    TermFormSet,
    VerifyForm,
    term_rows,
)
from fengqiao.mediation.models import Agreement, AgreementParty, FollowUp, Mediation
from fengqiao.org.access import Capability, may, may_work_on
from fengqiao.privacy.services import PURPOSE_AGREEMENT, export_document

# --- lookups (scoped: what the user may not see does not exist) ------------------------------------------------


def _mediation(request: HttpRequest, pk: int) -> Mediation:
    mediation = (Mediation.objects.filter(pk=pk, case__in=Case.objects.visible_to(request.user))
                 .select_related("case", "unit", "mediator").first())
    if mediation is None or not may_work_on(request.user, mediation.case):  # staff pages: the party has /track/
        raise Http404(_("No mediation to show."))
    return mediation


def _agreement(request: HttpRequest, pk: int) -> Agreement:
    agreement = svc.agreements_visible_to(request.user).filter(pk=pk).first()
    if agreement is None or not may_work_on(request.user, agreement.mediation.case):  # the party's copy: track_pdf
        raise Http404(_("No agreement to show."))
    return agreement


def _next(request: HttpRequest, agreement: Agreement | None = None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    if agreement is not None:
        return reverse("agreements:detail", args=[agreement.pk])
    return reverse("core:home")


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- the panel -------------------------------------------------------------------------------------------------


def _party_rows(agreement: Agreement) -> list[dict]:
    rows = []
    for p in agreement.parties.all():
        rows.append({
            "pk": p.pk,
            "role": p.get_role_display(),
            "name": mask_name(p.name),
            "phone": mask_phone(p.phone) if p.phone else "",
            "id_number": mask_id(p.id_number) if p.id_number else "",
            "address": bool(p.address),
            "signed_at": p.signed_at,
            "signed_by": p.get_signed_by_display() if p.signed_by else "",
            "form": SignPartyForm(initial={"party": p.pk}, prefix=f"agrp{p.pk}") if not p.signed_at else None,
        })
    return rows


def _term_initial(agreement: Agreement) -> list[dict]:
    return [{"content": t.content, "manner": t.manner, "due_on": t.due_on, "amount": t.amount}
            for t in agreement.terms.all()]


def panel_context(request: HttpRequest, mediation: Mediation, *, forms: dict | None = None) -> dict:
    """Everything the agreement panel shows for `mediation`, as the user may see and do it."""
    user, forms = request.user, dict(forms or {})
    agreement = Agreement.objects.filter(mediation=mediation).first()
    can_draw = svc.may_draw_up(user, mediation)
    can_seal = svc.may_seal(user, mediation)
    is_lead = can_draw and user.pk == mediation.mediator_id
    context: dict = {"mediation": mediation, "agreement": agreement, "can_draw": can_draw, "can_seal": can_seal,
                     "is_lead": is_lead, "next": request.get_full_path(), "today": timezone.localdate()}
    if agreement is None:
        if can_draw and mediation.status == Mediation.Status.OPEN:
            context["draft_form"] = forms.get("draft") or AgreementForm(
                initial={"facts": mediation.facts, "matters": mediation.matters}, prefix="agr")
            context["terms"] = forms.get("terms") or TermFormSet(prefix="agrt")
            context["case_parties"] = [{"pk": p.pk, "role": p.get_role_display(), "name": mask_name(p.name),
                                        "address": request.POST.get(f"agr-address-{p.pk}", "")}
                                       for p in mediation.case.parties.order_by("id")]
        return context
    editable = agreement.status == Agreement.Status.DRAFT and can_draw
    written = agreement.form == Agreement.Form.WRITTEN
    signable = agreement.status in (Agreement.Status.DRAFT, Agreement.Status.SIGNING)
    context.update({
        "parties": _party_rows(agreement),
        "terms_list": list(agreement.terms.all()),
        "follow_ups": [(f, forms.get(f"follow-{f.pk}") or FollowUpForm(prefix=f"agrf{f.pk}"))
                       for f in agreement.follow_ups.all()],
        "verify_url": reverse("agreements:verify_code", args=[agreement.verification_code]),
        "can_sign_parties": can_draw and written and signable,
        "can_sign_mediator": is_lead and written and signable and agreement.mediator_signed_at is None,
        "can_seal_now": can_seal and written and signable and agreement.sealed_at is None,
        "can_record_oral": is_lead and not written and agreement.status == Agreement.Status.DRAFT,
        "can_void": can_draw and agreement.status != Agreement.Status.VOID,
        "can_scan": can_draw and agreement.status != Agreement.Status.VOID,
        "can_follow_up": can_seal and agreement.status == Agreement.Status.EFFECTIVE,
        "oral_form": forms.get("oral") or OralForm(prefix="agro"),
        "scan_form": forms.get("scan") or ScanForm(prefix="agrs"),
        "error": forms.get("error", ""),
        "judicial": svc.judicial_confirmation_status(agreement),
    })
    if editable:
        context["edit_form"] = forms.get("edit") or AgreementForm(
            editing=True, prefix="agr", initial={"facts": agreement.facts, "matters": agreement.matters,
                                               "responsibilities": agreement.responsibilities,
                                               "partial": agreement.partial})
        context["edit_terms"] = forms.get("terms") or TermFormSet(prefix="agrt", initial=_term_initial(agreement))
        context["edit_parties"] = [{"pk": p.pk, "role": p.get_role_display(), "name": mask_name(p.name),
                                    "address": p.address} for p in agreement.parties.all()]
    return context


def _page(request: HttpRequest, mediation: Mediation, *, forms: dict | None = None, status: int = 200) -> HttpResponse:
    context = panel_context(request, mediation, forms=forms)
    context["next"] = request.POST.get("next") or context["next"]
    return render(request, "mediation/agreement/detail.html", context, status=status)


# --- staff pages -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest, mediation_pk: int) -> HttpResponse:
    """Draw up the agreement of a mediation (GET: the form on its own page; POST: from here or from the panel)."""
    mediation = _mediation(request, mediation_pk)
    existing = Agreement.objects.filter(mediation=mediation).first()
    if existing is not None:
        return redirect("agreements:detail", pk=existing.pk)
    if not svc.may_draw_up(request.user, mediation):  # the gate before the form (fengqiao/org/policy.py)
        raise Http404(_("No mediation to show."))
    if request.method == "GET":
        return _page(request, mediation)
    form, terms = AgreementForm(request.POST, prefix="agr"), TermFormSet(request.POST, prefix="agrt")
    if not (form.is_valid() and terms.is_valid()):
        return _page(request, mediation, forms={"draft": form, "terms": terms}, status=400)
    data = form.cleaned_data
    addresses = {p.pk: request.POST.get(f"agr-address-{p.pk}", "") for p in mediation.case.parties.all()}
    try:
        agreement = svc.agreement_draft(mediation=mediation, actor=request.user, form=data["form"], facts=data["facts"],
                                        matters=data["matters"], responsibilities=data["responsibilities"],
                                        terms=term_rows(terms), partial=data["partial"], addresses=addresses)
    except PermissionDenied:
        raise Http404(_("No mediation to show.")) from None
    except ValidationError as exc:
        _add_errors(form, exc)
        return _page(request, mediation, forms={"draft": form, "terms": terms}, status=400)
    messages.success(request, _("Agreement %(number)s drawn up.") % {"number": agreement.number})
    return redirect(_next(request, agreement))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    return _page(request, agreement.mediation)


@login_required
@require_POST
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    if not svc.may_draw_up(request.user, agreement.mediation):  # the gate before the form
        raise Http404(_("No agreement to show."))
    form, terms = AgreementForm(request.POST, prefix="agr", editing=True), TermFormSet(request.POST, prefix="agrt")
    if not (form.is_valid() and terms.is_valid()):
        return _page(request, agreement.mediation, forms={"edit": form, "terms": terms}, status=400)
    data = form.cleaned_data
    addresses = {p.pk: request.POST.get(f"agr-address-{p.pk}", "") for p in agreement.parties.all()
                 if f"agr-address-{p.pk}" in request.POST}
    try:
        svc.agreement_update(agreement=agreement, actor=request.user, facts=data["facts"], matters=data["matters"],
                             responsibilities=data["responsibilities"], terms=term_rows(terms),
                             partial=data["partial"], addresses=addresses)
    except PermissionDenied:
        raise Http404(_("No agreement to show.")) from None
    except ValidationError as exc:
        _add_errors(form, exc)
        return _page(request, agreement.mediation, forms={"edit": form, "terms": terms}, status=400)
    messages.success(request, _("The draft was saved."))
    return redirect(_next(request, agreement))


ACT_DONE = {
    "sign_party": gettext_lazy("The party's signature was recorded."),
    "sign_mediator": gettext_lazy("Your signature as mediator was recorded."),
    "seal": gettext_lazy("The committee's seal was recorded."),
    "oral": gettext_lazy("The oral agreement was recorded."),
    "void": gettext_lazy("The agreement was voided."),
}


@login_required
@require_POST
def agreement_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Record a party's signature, the mediator's signature, the seal, an oral agreement, or void it."""
    agreement = _agreement(request, pk)
    user = request.user
    try:
        if action == "sign_party":
            party = AgreementParty.objects.filter(agreement=agreement, pk=request.POST.get("party") or 0).first()
            if party is None:
                raise Http404(_("No such party on this agreement."))
            signed_by = request.POST.get(f"agrp{party.pk}-signed_by", "")
            svc.agreement_sign_party(agreement_party=party, actor=user, signed_by=signed_by)
        elif action == "sign_mediator":
            svc.agreement_sign_mediator(agreement=agreement, actor=user)
        elif action == "seal":
            svc.agreement_seal(agreement=agreement, actor=user)
        elif action == "oral":
            svc.agreement_record_oral(agreement=agreement, actor=user, note=request.POST.get("agro-note", ""))
        elif action == "void":
            svc.agreement_void(agreement=agreement, actor=user, reason=request.POST.get("reason", ""))
        else:
            raise Http404(_("Unknown action."))
    except PermissionDenied:
        raise Http404(_("No agreement to show.")) from None
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(_next(request, agreement))
    agreement.refresh_from_db()
    text = str(ACT_DONE[action])
    if agreement.status == Agreement.Status.EFFECTIVE and action != "void":
        text = "{} {}".format(text, _("The agreement is now in effect."))
    messages.success(request, text)
    return redirect(_next(request, agreement))


@login_required
@require_http_methods(["GET", "POST"])
def agreement_scan(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """GET: the scanned signed copy; POST: upload it."""
    agreement = _agreement(request, pk)
    if request.method == "GET":
        if not agreement.scan:
            raise Http404(_("No scan to show."))
        export_document(request.user, case=agreement.mediation.case, what="agreement_scan",
                        subject=agreement.number, purpose=PURPOSE_AGREEMENT)
        response = FileResponse(agreement.scan.open("rb"), filename=f"{agreement.number}{_suffix(agreement.scan.name)}")
        response["Cache-Control"] = "private, no-store"
        return response
    if not svc.may_draw_up(request.user, agreement.mediation):  # the gate before the form
        raise Http404(_("No agreement to show."))
    form = ScanForm(request.POST, request.FILES, prefix="agrs")
    if not form.is_valid():
        messages.error(request, _("Choose the scan to upload (PDF, JPG or PNG)."))
        return redirect(_next(request, agreement))
    try:
        svc.agreement_attach_scan(agreement=agreement, actor=request.user, upload=form.cleaned_data["scan"])
    except PermissionDenied:
        raise Http404(_("No agreement to show.")) from None
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(_next(request, agreement))
    messages.success(request, _("The scan of the signed copy was kept."))
    return redirect(_next(request, agreement))


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _pdf_response(agreement: Agreement, request: HttpRequest, *, actor, by_resident: bool) -> HttpResponse:
    # Staff need the permission to export personal data; a party takes their own copy (both recorded).
    export_document(request.user, case=agreement.mediation.case, what="agreement", subject=agreement.number,
                    purpose=PURPOSE_AGREEMENT, own=by_resident)
    started = time.perf_counter()
    data = agreement_pdf(agreement, url=verification_url(agreement, request))
    elapsed_ms = (time.perf_counter() - started) * 1000
    digest = hashlib.sha256(data).hexdigest()
    svc.agreement_record_download(agreement=agreement, actor=actor, sha256=digest, by_resident=by_resident)
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"agreement-{agreement.verification_code}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["Server-Timing"] = f"pdf;dur={elapsed_ms:.0f}"
    return response


@login_required
@require_GET
def agreement_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF with the parties' particulars in full: for those who may see the case; each download recorded."""
    agreement = _agreement(request, pk)
    if not may(request.user, Capability.CASE_VIEW, agreement.mediation.case):
        raise Http404(_("No agreement to show."))
    return _pdf_response(agreement, request, actor=request.user, by_resident=False)


@login_required
@require_POST
def followup_record(request: HttpRequest, pk: int) -> HttpResponse:
    visit = (FollowUp.objects.filter(pk=pk, agreement__in=svc.agreements_visible_to(request.user))
             .select_related("agreement", "agreement__mediation", "agreement__mediation__case").first())
    if visit is None or not svc.may_seal(request.user, visit.agreement.mediation):  # the gate before the form
        raise Http404(_("No follow-up visit to show."))
    form = FollowUpForm(request.POST, prefix=f"agrf{visit.pk}")
    if not form.is_valid():
        messages.error(request, _("Say whether the agreement is performed."))
        return redirect(_next(request, visit.agreement))
    try:
        svc.followup_record(followup=visit, actor=request.user, performance=form.cleaned_data["performance"],
                            note=form.cleaned_data["note"])
    except PermissionDenied:
        raise Http404(_("No follow-up visit to show.")) from None
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(_next(request, visit.agreement))
    messages.success(request, _("The follow-up visit was recorded."))
    return redirect(_next(request, visit.agreement))


@login_required
@require_GET
def followups(request: HttpRequest) -> HttpResponse:
    """Follow-up visits to make on agreements in effect, the overdue ones first."""
    today = timezone.localdate()
    visits = list(svc.followups_open(request.user)[:200])
    return render(request, "mediation/agreement/followups.html", {
        "overdue": [v for v in visits if v.due_on < today],
        "upcoming": [v for v in visits if v.due_on >= today],
        "today": today,
    })


# --- the resident's copy from the tracking page ----------------------------------------------------------------


@never_cache
@require_GET
def track_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The agreement's PDF for the resident who verified the case on the tracking page (code + phone digits)."""
    case = Case.objects.filter(code=code).first()
    if case is None or not tracking.may_track(request, case):
        raise Http404(_("No agreement to show."))
    agreement = (Agreement.objects.filter(pk=pk, mediation__case=case).exclude(status=Agreement.Status.DRAFT)
                 .select_related("mediation", "mediation__case", "mediation__unit", "mediation__mediator").first())
    if agreement is None:
        raise Http404(_("No agreement to show."))
    return _pdf_response(agreement, request, actor=tracking.resident_actor(request, case), by_resident=True)


# --- public verification ---------------------------------------------------------------------------------------


@never_cache
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """/agreements/verify/: type the code printed on the agreement (or arrive with ?code=)."""
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = "".join(ch for ch in form.cleaned_data["code"].upper() if ch.isalnum())
        if code:
            return redirect("agreements:verify_code", code=code)
    return render(request, "mediation/agreement/verify.html", {"form": form or VerifyForm()})


@never_cache
@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Is this agreement genuine and in effect? Public, no personal data; a wrong code: "not found" in both languages."""
    if over_limit(request, group="agreements.verify.ip", rate=settings.FQ_RATE_VERIFY_IP):
        return rate_limited(request)
    agreement = svc.agreement_by_code(code)
    if agreement is None:
        texts = []
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                texts.append({"lang": lang, "title": _("No agreement with this code"),
                              "body": _("We found no mediation agreement with this verification code. Check the code "
                                        "at the foot of the agreement and type it again. A document whose code is not "
                                        "found here was not issued through this platform.")})
        response = render(request, "mediation/agreement/verify_not_found.html",
                          {"texts": texts, "code": code[:24], "form": VerifyForm()}, status=404)
    else:
        response = render(request, "mediation/agreement/verify_result.html", {"facts": svc.public_facts(agreement)})
    response["X-Robots-Tag"] = "noindex"
    return response
