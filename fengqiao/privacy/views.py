"""Pages of personal information: the privacy notice, residents' requests (theirs and the staff's), the export log.

Capabilities: the notice is public; a resident's own requests need only their sign-in; taking in a request at a
service point needs `case.intake`; answering needs `pii.request` over the answering centre; the export log needs
`audit.read`; downloading a copy is an export (`pii.export`, recorded).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.org.access import Capability, may
from fengqiao.privacy import notices
from fengqiao.privacy import services as svc
from fengqiao.privacy.forms import RefuseForm, ResidentRequestForm, ServicePointRequestForm
from fengqiao.privacy.models import DataRequest, ExportRecord

PAGE = 200


def _html(text: str) -> str:
    """The notice's plain text with **bold** and numbered paragraphs, escaped."""
    out = []
    for para in re.split(r"\n(?=\d+\. )|\n\n", text.strip()):
        body = escape(" ".join(line.strip() for line in para.splitlines()))
        body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", body)
        out.append(f"<p>{body}</p>")
    return mark_safe("\n".join(out))  # noqa: S308 - escaped above


@require_GET
def notice(request: HttpRequest, version: str = notices.CURRENT) -> HttpResponse:
    """The privacy notice (current, or any earlier version a consent names), in the reader's language."""
    try:
        shown = notices.notice(version, notices.notice_language(get_language()))
    except KeyError:
        raise Http404(_("There is no privacy notice of this version.")) from None
    return render(request, "privacy/notice.html", {
        "notice": shown, "body": _html(shown.body), "is_current": version == notices.CURRENT,
        "versions": notices.versions()})


def _copy_response(req: DataRequest) -> HttpResponse:
    response = HttpResponse(bytes(req.copy), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{req.number}.json"'
    response["Cache-Control"] = "no-store"
    return response


# --- residents -----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_requests(request: HttpRequest) -> HttpResponse:
    """/privacy/my/: ask for a copy of my data or its deletion; follow my requests."""
    user = request.user
    form = ResidentRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                req = svc.data_request_create(kind=form.cleaned_data["kind"], channel=DataRequest.Channel.PORTAL,
                                              name=user.name or user.username, phone=user.phone or "",
                                              resident=user, note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your request %(number)s is received. We answer by %(date)s.") % {
                    "number": req.number, "date": req.due_at.date().isoformat()})
                return redirect("privacy:mine")
        status = 400
    rows = DataRequest.objects.filter(resident=user).prefetch_related("cases").order_by("-received_at")[:50]
    return render(request, "privacy/mine.html", {"form": form, "rows": rows}, status=status)


def _my_request(request: HttpRequest, number: str) -> DataRequest:
    req = DataRequest.objects.filter(number=number, resident=request.user).first()
    if req is None:
        raise Http404(_("There is no such request of yours."))
    return req


@login_required
@require_GET
def my_copy(request: HttpRequest, number: str) -> HttpResponse:
    """The resident downloads the copy of their own data (recorded as an export, like every other)."""
    req = _my_request(request, number)
    if req.kind != DataRequest.Kind.ACCESS or req.status != DataRequest.Status.DONE or req.copy is None:
        raise Http404(_("The copy is not ready yet."))
    svc.export_record(user=request.user, what="access_copy", subject=req.number,
                      purpose=svc.PURPOSE_OWN_COPY)
    return _copy_response(req)


@login_required
@require_POST
def my_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    req = _my_request(request, number)
    try:
        svc.data_request_withdraw(request=req, resident=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your request %(number)s is withdrawn.") % {"number": req.number})
    return redirect("privacy:mine")


# --- staff ---------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests the user's centre must answer, the oldest due first (capability pii.request)."""
    if not may(request.user, Capability.PII_REQUEST):
        raise PermissionDenied
    open_first = Case(When(status=DataRequest.Status.RECEIVED, then=Value(0)), default=Value(1))
    rows = (svc.requests_visible_to(request.user).select_related("unit", "handled_by")
            .order_by(open_first, "due_at", "-received_at"))
    return render(request, "privacy/requests.html", {"rows": rows[:PAGE], "can_take_in": may(
        request.user, Capability.CASE_INTAKE)})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """At a service point: staff who take in demands take in a request after checking the identity document."""
    if not may(request.user, Capability.CASE_INTAKE):
        raise PermissionDenied
    form = ServicePointRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = svc.data_request_create(kind=d["kind"], channel=DataRequest.Channel.SERVICE_POINT, name=d["name"],
                                          phone=d["phone"], actor=request.user, note=d["note"])
        except ValidationError as exc:
            for name, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Request %(number)s is taken in; the answer is due by %(date)s. Give the "
                                        "resident the number.") % {"number": req.number,
                                                                   "date": req.due_at.date().isoformat()})
            return redirect("privacy:request_new")
    return render(request, "privacy/request_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _staff_request(request: HttpRequest, number: str) -> DataRequest:
    req = DataRequest.objects.filter(number=number).select_related("unit", "handled_by", "resident").first()
    if req is None or not svc.may_answer(request.user, req):
        raise Http404(_("There is no such request in your scope."))
    return req


def _detail(request: HttpRequest, req: DataRequest, *, refuse_form=None, status: int = 200) -> HttpResponse:
    cases = list(req.cases.order_by("submitted_at"))
    blockers = {c.code: svc.anonymise_blockers(c) for c in cases} if req.kind == DataRequest.Kind.DELETE else {}
    return render(request, "privacy/request.html", {
        "req": req, "cases": cases, "blockers": blockers, "refuse_form": refuse_form or RefuseForm(),
        "can_export": may(request.user, Capability.PII_EXPORT)}, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _staff_request(request, number))


@login_required
@require_POST
def request_act(request: HttpRequest, number: str, move: str) -> HttpResponse:
    req = _staff_request(request, number)
    try:
        if move == "answer":
            svc.data_request_answer(request=req, actor=request.user)
        elif move == "refuse":
            form = RefuseForm(request.POST)
            if not form.is_valid():
                return _detail(request, req, refuse_form=form, status=400)
            svc.data_request_refuse(request=req, actor=request.user, reason=form.cleaned_data["reason"])
        else:
            raise Http404
    except ValidationError as exc:
        form = RefuseForm(request.POST)
        form.is_valid()
        for name, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
            form.add_error(name if name in form.fields else None, errors)
        return _detail(request, req, refuse_form=form, status=409 if not hasattr(exc, "error_dict") else 400)
    messages.success(request, _("Request %(number)s is answered.") % {"number": req.number})
    return redirect("privacy:request", number=req.number)


@login_required
@require_GET
def request_copy(request: HttpRequest, number: str) -> HttpResponse:
    """Staff print or hand over the copy to a resident who asked at a service point: an export, recorded."""
    req = _staff_request(request, number)
    svc.export_check(request.user)
    if req.copy is None:
        raise Http404(_("The copy is not ready yet."))
    svc.export_record(user=request.user, what="access_copy", subject=req.number,
                      purpose=svc.PURPOSE_HANDOVER)
    return _copy_response(req)


@login_required
@require_GET
def export_log(request: HttpRequest) -> HttpResponse:
    """Every export of personal data: who, what, when, why (auditors)."""
    if not may(request.user, Capability.AUDIT_READ):
        raise PermissionDenied
    rows = ExportRecord.objects.select_related("user", "case")[:PAGE]
    return render(request, "privacy/exports.html", {"rows": rows})


def my_requests_url() -> str:
    return reverse("privacy:mine")
