"""The resident's pages: the public form, its confirmation, tracking, attachments, and the 429 page.

Thin views: the forms check, fengqiao.intake.submit and fengqiao.cases.services write.
Every page works with plain form posts; JavaScript only adds the map and small comforts.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.cases import services as cs
from fengqiao.cases.models import Attachment, Case, Channel, ServiceType
from fengqiao.cases.public import public_timeline
from fengqiao.cases.workflow import Action, Status, TransitionError, allowed_actions
from fengqiao.core.home import RESIDENT_STATUS
from fengqiao.intake import tracking
from fengqiao.intake.forms import (
    SERVICE_HELP,
    AddInfoForm,
    ConfirmForm,
    ReopenForm,
    ReportForm,
    TrackForm,
    WithdrawForm,
    new_submission_token,
)
from fengqiao.intake.idempotency import IdempotencyConflict
from fengqiao.intake.limits import DEFAULT_RETRY_AFTER, failure_count, failures_exhausted, over_limit
from fengqiao.intake.models import IdempotencyRecord
from fengqiao.intake.places import district_code_of, district_of_community, qr_origin
from fengqiao.intake.submit import Submission, intake_submit
from fengqiao.org.access import Capability, may, may_work_on
from fengqiao.org.models import Region, RegionLevel
from fengqiao.privacy.intake import web_consent

WEB_SCOPE = "web"


def rate_limited(request: HttpRequest, exception=None) -> HttpResponse:
    """429 in both languages (settings.RATELIMIT_VIEW): whoever reads it understands it, and when to come back
    (Retry-After: the seconds until the counter that was hit starts again, fengqiao.intake.limits)."""
    seconds = int(getattr(request, "fq_retry_after", 0) or DEFAULT_RETRY_AFTER)
    minutes = max(1, -(-seconds // 60))
    texts = []
    for code in ("zh-hans", "en"):
        with translation.override(code):
            texts.append({
                "lang": code,
                "title": _("Too many attempts"),
                "body": _("You have tried this too often in a short time. Please wait a while and try again later."),
                "wait": ngettext("You can try again in about %(n)d minute.",
                                 "You can try again in about %(n)d minutes.", minutes) % {"n": minutes},
            })
    response = render(request, "intake/rate_limited.html", {"texts": texts}, status=429)
    response["Retry-After"] = str(seconds)
    return response


# --- the front door ----------------------------------------------------------------------------


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    """`/` for someone not signed in: what a resident comes for first (raise a demand, follow one, their account),
    and a smaller way in for staff. Signed-in users get their home page (fengqiao.core.views.home)."""
    return render(request, "intake/portal.html")


# --- the public form ---------------------------------------------------------------------------


def _service_options(form) -> list[dict]:
    """The five services with their plain-words explanation, for the radio list."""
    field = form["service_type"]
    return [{"widget": w, "help": SERVICE_HELP[w.data["value"]]} for w in field]


def _submission(form: ReportForm, user) -> Submission:
    data = form.cleaned_data
    origin = data.get("origin")
    anonymous = data["identity"] == "anonymous"
    coordinates = data.get("coordinates") or (
        (origin.latitude, origin.longitude) if origin and origin.latitude is not None else None)
    return Submission(
        channel=Channel.WEB,
        service_type=data["service_type"],
        description=data["description"],
        region=data["region"],
        address=data.get("address") or (origin.address if origin else ""),
        latitude=coordinates[0] if coordinates else None,
        longitude=coordinates[1] if coordinates else None,
        service_point=origin.service_point if origin else None,
        people_count=data.get("people_count") or 1,
        amount=data.get("amount"),
        applicant_name="" if anonymous else data["name"].strip(),
        applicant_phone=data.get("phone") or "",
        respondent=(data.get("respondent") or "").strip(),
        is_anonymous=anonymous,
        consent_contact=bool(data.get("phone")),
        consent_sensitive=data["service_type"] == ServiceType.PSYCHOLOGICAL or bool(data.get("consent_sensitive")),
        applicant_user=user if user.is_authenticated else None,
        files=list(data.get("files") or []),
    )


def _report_page(request, form: ReportForm, *, origin=None, unknown_code: bool = False, status: int = 200):
    context = {
        "form": form,
        "services": _service_options(form),
        "origin": origin,
        "unknown_code": unknown_code,
        "max_upload_mb": settings.FQ_MAX_UPLOAD_MB,
        "files_dropped": form.is_bound and bool(request.FILES) and bool(form.errors),
    }
    return render(request, "intake/report.html", context, status=status)


LAST_DISTRICT = "fq_last_district"  # session: the district of the resident's last demand


def _likely_district(request: HttpRequest, *, origin=None, community: str = "") -> str:
    """The district the resident most likely means, whose streets the community list shows first: the QR code's
    place, the community chosen on this form, the district of their last demand from this browser, else the
    district the platform mainly serves (FQ_HOME_DISTRICT)."""
    if origin is not None:
        return district_code_of(origin.region)
    if community:
        return district_of_community(community)
    last = request.session.get(LAST_DISTRICT, "") if request.session.session_key else ""
    return last or settings.FQ_HOME_DISTRICT


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """/report/: what, where, who — one page, one plain POST; ?point= / ?place= come from a QR code."""
    if request.method == "GET":
        point, place = request.GET.get("point", "").strip(), request.GET.get("place", "").strip()
        origin = qr_origin(point=point, place=place)
        initial = {"submission_token": new_submission_token(), "identity": "named", "people_count": 1}
        if origin is not None:
            initial.update({"point": point, "place": place, "community": origin.community_code,
                            "address": origin.address})
            if origin.latitude is not None:
                initial.update({"latitude": origin.latitude, "longitude": origin.longitude})
        if request.GET.get("service") in ServiceType.values:
            initial["service_type"] = request.GET["service"]
        if request.user.is_authenticated:
            initial.update({"name": request.user.name, "phone": request.user.phone})
        form = ReportForm(initial=initial, first_district=_likely_district(request, origin=origin))
        return _report_page(request, form, origin=origin,
                            unknown_code=bool(point or place) and origin is None)

    token = request.POST.get("submission_token", "")
    replay = IdempotencyRecord.objects.filter(scope=WEB_SCOPE, key=token).exists()
    if not replay and over_limit(request, group="intake.submit.ip", rate=settings.FQ_RATE_SUBMIT_IP):
        return rate_limited(request)
    form = ReportForm(request.POST, request.FILES,
                      first_district=_likely_district(request, community=request.POST.get("community", "")))
    if not form.is_valid():
        return _report_page(request, form, origin=form.cleaned_data.get("origin"), status=400)
    phone = form.cleaned_data.get("phone")
    if phone and not replay and over_limit(request, group="intake.submit.phone", rate=settings.FQ_RATE_SUBMIT_PHONE,
                                           value=phone):
        return rate_limited(request)
    try:
        case, _replayed = intake_submit(_submission(form, request.user), scope=WEB_SCOPE,
                                        key=form.cleaned_data["submission_token"],
                                        extra=web_consent(form.cleaned_data, request.user))
    except IdempotencyConflict:
        record = IdempotencyRecord.objects.filter(scope=WEB_SCOPE, key=token).first()
        data = request.POST.copy()
        data["submission_token"] = new_submission_token()
        form = ReportForm(data, first_district=_likely_district(request, community=data.get("community", "")))
        form.is_valid()
        messages.warning(request, _(
            "This form was sent before as case %(code)s. If this is a different demand, check it and send it again."
        ) % {"code": record.body.get("code", "") if record else ""})
        return _report_page(request, form, origin=form.cleaned_data.get("origin"), status=409)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return _report_page(request, form, origin=form.cleaned_data.get("origin"), status=400)
    tracking.remember(request.session, case.code)
    request.session[LAST_DISTRICT] = district_code_of(case.region)
    return redirect(reverse("intake:done", args=[case.code]), permanent=False)


@never_cache
@require_GET
def report_done(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation: the case code and how to follow it (only for the browser that sent it)."""
    case = Case.objects.filter(code=code).select_related("holder_unit").first()
    if case is None or not tracking.may_track(request, case):
        return redirect(f"{reverse('intake:track')}?{urlencode({'code': code})}")
    return render(request, "intake/report_done.html", {"case": case, "follow": tracking.how_to_follow(case)})


@require_GET
@cache_control(public=True, max_age=86400)
def served_area(request: HttpRequest) -> JsonResponse:
    """The outlines of the districts served, for the map (drawn without a tile server)."""
    features = [
        {"type": "Feature", "properties": {"name": r.name, "code": r.code}, "geometry": r.boundary}
        for r in Region.objects.filter(level=RegionLevel.DISTRICT, boundary__isnull=False).order_by("code")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


# --- tracking ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """/track/: case code + last four digits of the phone → the case page (remembered for this code only)."""
    if request.method == "POST":
        if over_limit(request, group="intake.track.ip", rate=settings.FQ_RATE_TRACK_IP):
            return rate_limited(request)
        form = TrackForm(request.POST)
        if form.is_valid():
            # Wrong digits are counted per case code too, so guesses spread over many IPs are stopped as well.
            code = form.cleaned_data["code"].strip().upper()
            if failures_exhausted(request, group="intake.track.code", rate=settings.FQ_RATE_TRACK_CODE, value=code):
                return rate_limited(request)
            case = tracking.find_case(code, form.cleaned_data["digits"])
            if case is not None:
                tracking.remember(request.session, case.code)
                return redirect("intake:track_case", code=case.code)
            failure_count(request, group="intake.track.code", rate=settings.FQ_RATE_TRACK_CODE, value=code)
            form.add_error(None, _(
                "We could not find a case with this code and these digits. Check both and try again."))
        return render(request, "intake/track.html", {"form": form}, status=400)
    form = TrackForm(initial={"code": request.GET.get("code", "")[:24]})
    return render(request, "intake/track.html", {"form": form})


def _tracked_case(request: HttpRequest, code: str) -> Case | None:
    case = (Case.objects.filter(code=code)
            .select_related("holder_unit", "region", "region__parent", "service_point").first())
    if case is None or not tracking.may_track(request, case):
        return None
    return case


def _track_forms(case: Case) -> dict:
    allowed = set(allowed_actions(case.status))
    initial = {"version": case.version}
    return {
        "add": AddInfoForm(initial=initial) if Action.NOTE in allowed and case.is_open else None,
        "withdraw": WithdrawForm(initial=initial) if Action.WITHDRAW in allowed else None,
        "confirm": ConfirmForm(initial=initial) if Action.CONFIRM in allowed else None,
        "reopen": ReopenForm(initial=initial) if Action.REOPEN in allowed else None,
    }


def _track_page(request, case: Case, *, forms: dict | None = None, status: int = 200) -> HttpResponse:
    all_forms = _track_forms(case)
    for name, form in (forms or {}).items():
        if all_forms.get(name) is not None:
            all_forms[name] = form
    context = {
        "case": case,
        "status_text": RESIDENT_STATUS.get(case.status, case.get_status_display()),
        "events": public_timeline(case),  # what the public sees: fengqiao.cases.public
        "attachments": tracking.public_attachments(case),
        "forms": all_forms,
        "now": timezone.now(),
        "finished": case.status in (Status.CLOSED, Status.WITHDRAWN, Status.REJECTED, Status.MERGED, Status.CONFIRMED),
    }
    return render(request, "intake/track_case.html", context, status=status)


@never_cache
@require_GET
def track_case(request: HttpRequest, code: str) -> HttpResponse:
    case = _tracked_case(request, code)
    if case is None:
        return redirect(f"{reverse('intake:track')}?{urlencode({'code': code})}")
    return _track_page(request, case)


TRACK_FORMS = {"add": AddInfoForm, "withdraw": WithdrawForm, "confirm": ConfirmForm, "reopen": ReopenForm}
DONE_MESSAGES = {
    "add": gettext_lazy("Thank you — your information was added to the case."),
    "withdraw": gettext_lazy("Your demand was withdrawn."),
    "confirm": gettext_lazy("Thank you for confirming the result and for your rating."),
    "reopen": gettext_lazy("We are sorry it is not solved. The case is open again and goes back to the department."),
}


@require_POST
def track_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """The resident's own moves from the tracking page: add information, withdraw, confirm, or reopen."""
    case = _tracked_case(request, code)
    if case is None:
        raise Http404(_("No case to show."))
    if action not in TRACK_FORMS:
        raise Http404(_("Unknown action."))
    if _track_forms(case).get(action) is None:
        messages.error(request, _("This is not possible any more: the case has moved on. Here is where it stands now."))
        return _track_page(request, case, status=409)
    if (over_limit(request, group="intake.case_act.ip", rate=settings.FQ_RATE_SUBMIT_IP)
            or over_limit(request, group="intake.case_act.case", rate=settings.FQ_RATE_CASE_ACT, value=case.code)):
        return rate_limited(request)
    form = TRACK_FORMS[action](request.POST, request.FILES)
    if not form.is_valid():
        return _track_page(request, case, forms={action: form}, status=400)
    data, actor = form.cleaned_data, tracking.resident_actor(request, case)
    try:
        with transaction.atomic():
            if action == "add":
                if data["text"].strip():
                    cs.case_add_information(case=case, actor=actor, text=data["text"])
                for upload in data["files"]:
                    cs.case_attach(case=case, actor=actor, upload=upload, is_public=True)
            elif action == "withdraw":
                cs.case_withdraw(case=case, actor=actor, reason=data["reason"], expected_version=data["version"])
            elif action == "confirm":
                cs.case_confirm(case=case, actor=actor, satisfaction=data["satisfaction"], by="resident",
                                expected_version=data["version"])
            else:
                cs.case_reopen(case=case, actor=actor, reason=data["reason"], expected_version=data["version"])
    except (cs.ConcurrentUpdate, TransitionError) as exc:
        messages.error(request, str(exc) if isinstance(exc, cs.ConcurrentUpdate) else _(
            "This is not possible any more: the case has moved on. Here is where it stands now."))
        return _track_page(request, Case.objects.get(pk=case.pk), status=409)
    except PermissionDenied:
        raise Http404(_("No case to show.")) from None
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return _track_page(request, case, forms={action: form}, status=400)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("intake:track_case", code=case.code)


# --- files -------------------------------------------------------------------------------------


def _may_download(request: HttpRequest, attachment: Attachment) -> bool:
    case, user = attachment.case, request.user
    if attachment.is_public and tracking.may_track(request, case):
        return True
    if user.is_authenticated and may(user, Capability.CASE_VIEW, case):
        return attachment.is_public or may_work_on(user, case)
    return False


@never_cache
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A case file, only for the resident who verified the case or staff who may see it; 404 for everyone else."""
    attachment = Attachment.objects.select_related("case").filter(pk=pk).first()
    if attachment is None or not _may_download(request, attachment):
        raise Http404(_("No file to show."))
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            filename=attachment.original_name)
    response["Cache-Control"] = "private, no-store"
    return response
