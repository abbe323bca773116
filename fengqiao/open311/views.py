"""Open311 GeoReport v2 endpoints (/open311/v2/…{.json,.xml}); thin: parsing and formats here, rules elsewhere.

Errors answer in the specification's format with the status as `code`. See docs/open311.md.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt

from fengqiao.cases.models import Case
from fengqiao.cases.workflow import OPEN_STATES
from fengqiao.intake.idempotency import IdempotencyConflict, run_once
from fengqiao.intake.limits import DEFAULT_RETRY_AFTER, over_limit
from fengqiao.intake.validation import clean_phone
from fengqiao.open311 import catalogue, services
from fengqiao.open311.access import client_for_request, key_param, readable_cases
from fengqiao.open311.formats import FORMATS, Open311Error, error_response, respond
from fengqiao.open311.present import request_out, service_notice

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+08:00"  # when this endpoint's list of services or behaviour last changed
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)
IDEMPOTENCY_HEADERS = ("X-Idempotency-Key", "Idempotency-Key")
IDEMPOTENCY_KEY_MAX = 100


def _language(request: HttpRequest) -> str:
    """zh-hans unless the client's first supported preference in Accept-Language is English."""
    for lang, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if lang.lower().startswith("en"):
            return "en"
        if lang.lower().startswith("zh"):
            return "zh-hans"
    return "zh-hans"


def endpoint(*methods: str):
    """Answers in the requested format, turns Open311Error into the error format, and limits the rate per IP."""

    def decorate(view):
        @csrf_exempt  # api_key authenticated; no session is ever used
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            with translation.override(_language(request)):
                try:
                    if fmt not in FORMATS:
                        raise Open311Error(404, _("Unknown format: use .json or .xml."))
                    if request.method not in methods:
                        raise Open311Error(405, _("Method %(method)s is not allowed here.") % {"method": request.method})
                    # Anonymous reads share a modest rate per address; partners with a key get a larger one.
                    keyed = bool(key_param(request))
                    rate = (settings.FQ_RATE_OPEN311_KEY if keyed
                            else settings.FQ_RATE_OPEN311_IP)
                    group = "open311-key" if keyed else "open311"
                    if over_limit(request, group=group, rate=rate):
                        raise Open311Error(429, _("Too many requests: try again later."))
                    response = view(request, fmt, **kwargs)
                except Open311Error as error:
                    response = error_response(fmt, error)
                    if error.status == 429:  # when the counter that was hit starts again (fengqiao.intake.limits)
                        response["Retry-After"] = str(getattr(request, "fq_retry_after", DEFAULT_RETRY_AFTER))
                if request.method not in methods:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapper

    return decorate


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = settings.FQ_PUBLIC_BASE_URL.rstrip("/") + "/open311/v2"
    data = {
        "changeset": CHANGESET,
        "contact": settings.FQ_OPEN311_CONTACT or _(
            "Guangming District citizen demand service centre (光明区群众诉求服务大厅), hotline 12345"),
        "key_service": settings.FQ_OPEN311_KEY_SERVICE or _(
            "Ask the district centre's administrator for an API key with the open311 scope."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base,
            "changeset": CHANGESET,
            "type": "production" if settings.PRODUCTION else "test",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return respond(fmt, "discovery", data)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    services.jurisdiction_for(request.GET.get("jurisdiction_id", "").strip())
    return respond(fmt, "services", [catalogue.service_out(c) for c in catalogue.leaf_categories()])


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    jurisdiction = services.jurisdiction_for(request.GET.get("jurisdiction_id", "").strip())
    category = catalogue.leaf_by_code(service_code)
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": service_code})
    return respond(fmt, "service_definition", catalogue.definition_out(category, jurisdiction))


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    return _get_requests(request, fmt)


def _idempotency_key(request: HttpRequest) -> str:
    for header in IDEMPOTENCY_HEADERS:
        if request.headers.get(header, "").strip():
            key = request.headers[header].strip()
            break
    else:
        key = (request.POST.get("idempotency_key") or request.GET.get("idempotency_key") or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise Open311Error(400, _("The idempotency key is longer than %(n)d characters.") % {"n": IDEMPOTENCY_KEY_MAX})
    return key


def _phone_key(raw: str) -> str:
    """The number a per-phone limit counts, however it was written (+86, spaces, dashes)."""
    try:
        return clean_phone(raw, required=False)
    except ValidationError:
        return "".join(ch for ch in raw if ch.isdigit())


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = client_for_request(request, required=True)
    params = {k: v for k, v in request.GET.items()} | {k: v for k, v in request.POST.items()}
    params.pop("api_key", None)
    params.pop("idempotency_key", None)
    data = services.parse_request(params)
    key = _idempotency_key(request)
    phone = _phone_key(data.phone)
    if phone and over_limit(request, group="open311.submit.phone", rate=settings.FQ_RATE_OPEN311_PHONE, value=phone):
        raise Open311Error(429, _("Too many requests for this phone number: try again later."))

    def submit() -> tuple[int, dict, Case]:
        case = services.request_submit(client=client, data=data, idempotency_key=key)
        return 201, {"service_request_id": case.code, "service_notice": service_notice(case), "account_id": None}, case

    if key:
        try:
            outcome = run_once(scope=f"open311:{client.pk}", key=key, payload=params, action=submit)
        except IdempotencyConflict:
            raise Open311Error(400, _("This idempotency key was used before for a different request.")) from None
        status, body = outcome.status_code, outcome.body
    else:
        status, body, _case = submit()
    return respond(fmt, "service_requests", [body], status=status)


def _w3_param(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a "+" left unescaped in a query string reads as a space
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, _("%(name)s must be a W3C date and time, e.g. 2026-11-01T00:00:00+08:00.") % {
            "name": name})
    value = value if timezone.is_aware(value) else timezone.make_aware(value)
    # No case lies outside these years, so clamping changes no answer, and the 90-day window and the database's
    # conversion to UTC never step off the calendar (9999-12-31T23:59:59+14:00 was a server error).
    return min(max(value, EARLIEST), LATEST)


def _requests_queryset(client):
    return readable_cases(client).select_related(
        "region__parent__parent", "holder_unit", "category", "open311"
    ).prefetch_related("parties")


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    client = client_for_request(request, required=False)
    jurisdiction = services.jurisdiction_for(request.GET.get("jurisdiction_id", "").strip())
    qs = _requests_queryset(client)
    if jurisdiction is not None:
        qs = qs.filter(region__path__startswith=jurisdiction.path)
    ids = [i.strip().upper() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # overrides every other filter (the specification)
        qs = qs.filter(code__in=ids[:MAX_RESULTS])
    else:
        start, end = _w3_param(request, "start_date"), _w3_param(request, "end_date")
        if start and end and end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - DEFAULT_WINDOW
        if end is None:
            end = start + DEFAULT_WINDOW
        qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        statuses = {s.strip().lower() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed (or both, comma-separated)."))
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATES)
        elif statuses == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATES)
    cases = list(qs.order_by("-submitted_at", "-pk")[:MAX_RESULTS])
    return respond(fmt, "service_requests", [request_out(c, detailed=client is not None) for c in cases])


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    client = client_for_request(request, required=False)
    case = _requests_queryset(client).filter(code=service_request_id.strip().upper()).first()
    if case is None:
        raise Open311Error(404, _("service_request_id “%(id)s” was not found.") % {"id": service_request_id})
    return respond(fmt, "service_requests", [request_out(case, detailed=client is not None)])


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """We create requests at once, so a request's token is its service_request_id."""
    client = client_for_request(request, required=False)
    case = readable_cases(client).filter(code=token.strip().upper()).only("code").first()
    if case is None:
        raise Open311Error(404, _("token “%(token)s” was not found.") % {"token": token})
    return respond(fmt, "service_requests", [{"service_request_id": case.code, "token": case.code}])




@csrf_exempt
def unknown(request: HttpRequest) -> HttpResponse:
    """An address under /open311/v2/ that names no resource (e.g. requests/.json): 404 in the specification's format."""
    fmt = "xml" if request.path_info.endswith(".xml") else "json"
    with translation.override(_language(request)):
        return error_response(fmt, Open311Error(
            404, _("There is nothing at this address: see discovery.json for the endpoints.")))
