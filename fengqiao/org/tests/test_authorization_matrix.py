"""The authorization matrix (fengqiao/org/policy.py) against the running code.

- Every URL pattern (walked from the resolver) and every API operation (from the OpenAPI document) has a row in the
  table; a new view without one fails here, naming it.
- For every row, every principal asks the URL with a sample object in its scope: GET for reading, POST (or DELETE)
  for writing. What they get must be what the row says: allowed → the view ran (200, a redirect onward, 400 for an
  empty form, 409 …); refused → the sign-in page, 403, 404, or back to /track/. A refused write changes nothing in
  the database (only sessions, the cache table and the access logs that record refusals may be written).
- Nobody without ``is_staff`` reaches any URL of the Django admin.

Each request runs in a savepoint rolled back after it, so one principal's write never changes what the next sees.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fengqiao.org import policy as P
from fengqiao.org.models import Role

from .matrix_world import World, build_world

# Tables a refused request may still write: the session, the cache (rate-limit counters), the logs of refusals.
BOOKKEEPING = re.compile(r"^(django_session|fq_cache|counselling_accesslog|api_apiclient|audit_\w*|axes_\w*)$")
WRITE_SQL = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


# --- the URL patterns the code has ----------------------------------------------------------------------------------


def url_names() -> dict[str, str]:
    """Every named URL pattern outside the admin and the ninja API: name -> pattern (unnamed ones named '?')."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name or f"?{prefix}{entry.pattern}"))
                found[name] = prefix + str(entry.pattern)

    walk(get_resolver(), "", ())
    return found


def admin_patterns() -> list[str]:
    return sorted(n for n in url_names() if n.startswith(f"{P.ADMIN_NAMESPACE}:"))


@functools.cache
def api_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of the REST API, from the document django-ninja generates."""
    from fengqiao.api.main import api

    ops = {}
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, op in methods.items():
            ops[op["operationId"]] = (method.upper(), path)
    return ops


API_NAMESPACE = "fq-api-v1"


def declared(name: str, table: dict) -> bool:
    return name in table or any(key.startswith(f"{name}[") for key in table)


def test_every_url_has_a_row():
    """A page added without its row in fengqiao/org/policy.py VIEWS fails here, by name."""
    operations = api_operations()
    missing = []
    for name, pattern in sorted(url_names().items()):
        if name.startswith(f"{P.ADMIN_NAMESPACE}:"):
            continue  # the admin: one rule (policy.ADMIN), walked by test_nobody_without_is_staff_reaches_the_admin
        if name.startswith(f"{API_NAMESPACE}:"):
            op = name.split(":", 1)[1]
            if op not in operations and not declared(op, P.API):
                missing.append(f"{name} ({pattern}) — declare it in policy.API")
            continue
        if name.startswith("open311:"):
            if not declared(name, P.API):
                missing.append(f"{name} ({pattern}) — declare it in policy.API")
            continue
        if not declared(name, P.VIEWS):
            missing.append(f"{name} ({pattern}) — declare who may use it in policy.VIEWS")
    assert not missing, "URLs without a row in the authorization matrix:\n  " + "\n  ".join(missing)


def test_every_api_operation_has_a_row():
    missing = [f"{op} ({method} {path})" for op, (method, path) in sorted(api_operations().items())
               if op not in P.API]
    assert not missing, "API operations without a row in policy.API:\n  " + "\n  ".join(missing)


def test_no_row_names_a_url_that_is_gone():
    names = set(url_names())
    api_names = {n.split(":", 1)[1] for n in names if n.startswith(f"{API_NAMESPACE}:")} | set(api_operations())
    stale = [key for key in P.VIEWS if key.split("[")[0] not in names]
    stale += [key for key in P.API if key not in api_names and key not in names]
    assert not stale, f"rows for URLs that no longer exist: {stale}"


def test_scoped_rows_never_let_someone_elsewhere_in():
    leaks = [key for key, rule in {**P.VIEWS, **P.API}.items() if rule.scoped
             and (P.ELSEWHERE | {P.API_ELSEWHERE}) & ((rule.get or frozenset()) | (rule.post or frozenset()))]
    assert not leaks, f"scoped rows that allow a member elsewhere: {leaks}"


def test_read_only_duties_are_refused_every_write():
    """The auditor (and any duty role that only reads) may write through no page and no operation."""
    writes = [key for key, rule in {**P.VIEWS, **P.API}.items()
              if rule.post and rule.writes and P.READ_ONLY_ROLES & rule.post and P.OUTSIDER not in rule.post]
    assert not writes, f"read-only roles allowed to write: {writes}"


# --- the world and one signed-in browser per principal ---------------------------------------------------------------


@pytest.fixture(scope="module")
def world(module_db, builders, tmp_path_factory) -> World:
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media")):
        yield build_world(builders.load_cast(), builders.load_org(), builders.case_maker())


@pytest.fixture(scope="module")
def browsers(world) -> dict[str, Client]:
    from fengqiao.accounts.tests.conftest import verify

    clients = {}
    for principal, user in world.users.items():
        client = Client()
        if principal == P.TRACKER:  # this browser verified the sample cases with the phone's last four digits
            for case in (world.case, world.mediation.case, world.agreement.mediation.case):
                digits = case.parties.filter(role="applicant").first().phone[-4:]
                response = client.post(reverse("intake:track"), {"code": case.code, "digits": digits})
                assert response.status_code == 302, f"the tracker could not verify {case.code}"
        elif user is not None:
            verify(client, user)
        clients[principal] = client
    return clients


@dataclass
class Sample:
    path: str
    data: dict = field(default_factory=dict)  # what a write posts (an empty form unless a row needs more)
    query: dict = field(default_factory=dict)
    body: str = "{}"  # API: the JSON a write sends
    files: bool = False  # API: a multipart upload of a small PNG instead of JSON


def _s(path: str, **data) -> Sample:
    return Sample(path, data)


def _case_url(name: str, *args) -> Callable[[World], Sample]:
    return lambda w: _s(reverse(name, args=[w.case.code, *args]))


SAMPLES: dict[str, Callable[[World], Sample]] = {
    "core:home": lambda w: _s("/"),
    "core:healthz": lambda w: _s("/healthz"),
    "favicon": lambda w: _s("/favicon.ico"),
    "set_language": lambda w: _s(reverse("set_language"), language="en"),
    "accounts:login": lambda w: _s(reverse("accounts:login")),
    "accounts:logout": lambda w: _s(reverse("accounts:logout"), next="/"),
    "accounts:2fa": lambda w: _s(reverse("accounts:2fa")),
    # the workbench
    "cases:list": lambda w: _s(reverse("cases:list")),
    "cases:bulk": lambda w: _s(reverse("cases:bulk"), codes=w.submitted.code, bulk_action="dispatch"),
    "cases:detail": _case_url("cases:detail"),
    "cases:reveal": lambda w: _s(reverse("cases:reveal", args=[w.case.code]), reason="回访核实"),
    "cases:act[note]": _case_url("cases:act", "note"),
    "cases:act[sign]": _case_url("cases:act", "sign"),
    "cases:act[supervise]": _case_url("cases:act", "supervise"),
    "cases:act[accept]": lambda w: _s(reverse("cases:act", args=[w.submitted.code, "accept"])),
    "cases:act[withdraw]": _case_url("cases:act", "withdraw"),
    "triage:accept": lambda w: _s(reverse("triage:accept", args=[w.submitted.code, "category"])),
    "triage:correct": lambda w: _s(reverse("triage:correct", args=[w.submitted.code, "category"])),
    "triage:run": lambda w: _s(reverse("triage:run", args=[w.submitted.code])),
    "triage:merge": lambda w: _s(reverse("triage:merge", args=[w.submitted.code]), other=w.case.code),
    "triage:link": lambda w: _s(reverse("triage:link", args=[w.submitted.code]), other=w.case.code),
    "notifications:inbox": lambda w: _s(reverse("notifications:inbox")),
    "notifications:read": lambda w: _s(reverse("notifications:read")),
    # residents
    "intake:report": lambda w: _s(reverse("intake:report")),
    "intake:done": _case_url("intake:done"),
    "intake:area": lambda w: _s(reverse("intake:area")),
    "intake:track": lambda w: _s(reverse("intake:track"), code=w.case.code, digits="0000"),
    "intake:track_case": _case_url("intake:track_case"),
    "intake:track_act[add]": _case_url("intake:track_act", "add"),
    "intake:attachment[public]": lambda w: _s(reverse("intake:attachment", args=[w.public_file.pk])),
    "intake:attachment[private]": lambda w: _s(reverse("intake:attachment", args=[w.private_file.pk])),
    "intake:my_cases": lambda w: _s(reverse("intake:my_cases")),
    "intake:signup": lambda w: _s(reverse("intake:signup")),
    # staff channels
    "intake:staff_new": lambda w: _s(reverse("intake:staff_new")),
    "intake:staff_lookup": lambda w: _s(reverse("intake:staff_lookup"), phone="13912345678"),
    "intake:grid_report": lambda w: _s(reverse("intake:grid_report")),
    "intake:grid_reports": lambda w: _s(reverse("intake:grid_reports")),
    "intake:qr_code": lambda w: _s(reverse("intake:qr_code", kwargs={
        "kind": "point", "token": w.case.service_point.token if w.case.service_point else _point_token(), "fmt": "svg"})),
    "intake:qr_sheet": lambda w: _s(reverse("intake:qr_sheet")),
    "intake:qr_sheet_pdf": lambda w: Sample(reverse("intake:qr_sheet_pdf"), query={"region": "440311001001"}),
    # imports
    "imports:index": lambda w: _s(reverse("imports:index")),
    "imports:batch": lambda w: _s(reverse("imports:batch", args=[w.batch.pk])),
    "imports:progress": lambda w: _s(reverse("imports:progress", args=[w.batch.pk])),
    "imports:start": lambda w: _s(reverse("imports:start", args=[w.batch.pk])),
    "imports:resume": lambda w: _s(reverse("imports:resume", args=[w.batch.pk])),
    "imports:report": lambda w: _s(reverse("imports:report", args=[w.batch.pk, "csv"])),
    # finding and booking a mediator
    "mediators:directory": lambda w: _s(reverse("mediators:directory")),
    "mediators:mediator": lambda w: _s(reverse("mediators:mediator", args=[w.profile.pk])),
    "mediators:book": lambda w: _s(reverse("mediators:book", args=[w.profile.pk])),
    "mediators:booked": lambda w: _s(reverse("mediators:booked", args=[w.booking.code])),
    "mediators:manage": lambda w: _s(reverse("mediators:manage"), code=w.booking.code, phone=w.booking.phone),
    "mediators:booking": lambda w: _s(reverse("mediators:booking", args=[w.booking.code])),
    "mediators:cancel": lambda w: _s(reverse("mediators:cancel", args=[w.booking.code])),
    "mediators:move": lambda w: _s(reverse("mediators:move", args=[w.booking.code])),
    "mediators:rate": lambda w: _s(reverse("mediators:rate", args=[w.booking.code])),
    # the mediator's workspace
    "mediation:home": lambda w: _s(reverse("mediation:home")),
    "mediation:open_case": lambda w: _s(reverse("mediation:open_case", args=[w.linkage.case.code])),
    "mediation:open_booking": lambda w: _s(reverse("mediation:open_booking", args=[w.booking.pk])),
    "mediation:detail": lambda w: _s(reverse("mediation:detail", args=[w.mediation.pk])),
    "mediation:team_add": lambda w: _s(reverse("mediation:team_add", args=[w.mediation.pk])),
    "mediation:team_remove": lambda w: _s(reverse("mediation:team_remove", args=[w.mediation.pk, w.team_member.pk])),
    "mediation:session_schedule": lambda w: _s(reverse("mediation:session_schedule", args=[w.mediation.pk])),
    "mediation:session_hold": lambda w: _s(reverse("mediation:session_hold", args=[w.mediation.pk, w.session.pk])),
    "mediation:session_cancel": lambda w: _s(reverse("mediation:session_cancel",
                                                     args=[w.mediation.pk, w.session.pk])),
    "mediation:attendee_add": lambda w: _s(reverse("mediation:attendee_add", args=[w.mediation.pk, w.session.pk])),
    "mediation:record_sign": lambda w: _s(reverse("mediation:record_sign", args=[w.mediation.pk, w.attendee.pk])),
    "mediation:extend": lambda w: _s(reverse("mediation:extend", args=[w.mediation.pk])),
    "mediation:conclude": lambda w: _s(reverse("mediation:conclude", args=[w.mediation.pk])),
    # agreements
    "agreements:new": lambda w: _s(reverse("agreements:new", args=[w.mediation.pk])),
    "agreements:detail": lambda w: _s(reverse("agreements:detail", args=[w.agreement.pk])),
    "agreements:edit": lambda w: _s(reverse("agreements:edit", args=[w.agreement.pk])),
    "agreements:act[void]": lambda w: _s(reverse("agreements:act", args=[w.agreement.pk, "void"])),
    "agreements:pdf": lambda w: _s(reverse("agreements:pdf", args=[w.agreement.pk])),
    "agreements:scan": lambda w: _s(reverse("agreements:scan", args=[w.agreement.pk])),
    "agreements:followups": lambda w: _s(reverse("agreements:followups")),
    "agreements:followup_record": lambda w: _s(reverse("agreements:followup_record", args=[w.followup.pk])),
    "agreements:track_pdf": lambda w: _s(reverse("agreements:track_pdf",
                                                 args=[w.agreement.mediation.case.code, w.agreement.pk])),
    "agreements:verify": lambda w: _s(reverse("agreements:verify")),
    "agreements:verify_code": lambda w: _s(reverse("agreements:verify_code", args=[w.agreement.verification_code])),
    # legal routes
    "legal:home": lambda w: _s(reverse("legal:home")),
    "legal:apply": lambda w: _s(reverse("legal:apply", args=[w.agreement.pk])),
    "legal:application": lambda w: _s(reverse("legal:application", args=[w.application.pk])),
    "legal:application_pdf": lambda w: _s(reverse("legal:application_pdf", args=[w.application.pk])),
    "legal:application_package": lambda w: _s(reverse("legal:application_package", args=[w.application.pk])),
    "legal:application_act[accept]": lambda w: _s(reverse("legal:application_act", args=[w.application.pk, "accept"])),
    "legal:court": lambda w: _s(reverse("legal:court")),
    "legal:pre_litigation": lambda w: _s(reverse("legal:pre_litigation")),
    "legal:inbox": lambda w: _s(reverse("legal:inbox")),
    "legal:linkage_new": lambda w: Sample(reverse("legal:linkage_new"), {"case": w.mediation.case.code},
                                          {"case": w.mediation.case.code}),
    "legal:linkage": lambda w: _s(reverse("legal:linkage", args=[w.linkage.pk])),
    "legal:linkage_act[accept]": lambda w: _s(reverse("legal:linkage_act", args=[w.linkage.pk, "accept"])),
    "legal:referral_new": lambda w: Sample(reverse("legal:referral_new"), {"case": w.mediation.case.code},
                                           {"case": w.mediation.case.code}),
    "legal:referral": lambda w: _s(reverse("legal:referral", args=[w.referral.pk])),
    "legal:referral_pdf": lambda w: _s(reverse("legal:referral_pdf", args=[w.referral.pk])),
    "legal:referral_act[receive]": lambda w: _s(reverse("legal:referral_act", args=[w.referral.pk, "receive"])),
    # petitions
    "petitions:list": lambda w: _s(reverse("petitions:list")),
    "petitions:mine": lambda w: _s(reverse("petitions:mine")),
    "petitions:register": _case_url("petitions:register"),
    "petitions:detail": lambda w: _s(reverse("petitions:detail", args=[w.petition.number])),
    "petitions:act[start]": lambda w: _s(reverse("petitions:act", args=[w.petition.number, "start"])),
    "petitions:act[request_review]": lambda w: _s(reverse("petitions:act", args=[w.petition.number,
                                                                                 "request_review"])),
    "petitions:pdf": lambda w: _s(reverse("petitions:pdf", args=[w.petition.number, "accept"])),
    # psychological service
    "counselling:list": lambda w: _s(reverse("counselling:list")),
    "counselling:open": lambda w: _s(reverse("counselling:open"), **{"open-case_code": w.psy_case.code}),
    "counselling:audit": lambda w: _s(reverse("counselling:audit")),
    "counselling:detail": lambda w: _s(reverse("counselling:detail", args=[w.engagement.pk])),
    "counselling:export": lambda w: _s(reverse("counselling:export", args=[w.engagement.pk])),
    "counselling:log": lambda w: _s(reverse("counselling:log", args=[w.engagement.pk])),
    "counselling:revoke": lambda w: _s(reverse("counselling:revoke", args=[w.engagement.pk, w.grant.pk])),
    "counselling:write[record]": lambda w: _s(reverse("counselling:write", args=[w.engagement.pk, "record"])),
    # the audit trail
    "audit:chain": lambda w: _s(reverse("audit:chain")),
    # second factor: recovery codes
    "accounts:recovery": lambda w: _s(reverse("accounts:recovery")),
    # separation of duties
    "org:grants": lambda w: _s(reverse("org:grants")),
    "org:grant_decide": lambda w: _s(reverse("org:grant_decide", args=[w.grant_request.pk])),
    "org:grant_audit": lambda w: _s(reverse("org:grant_audit")),
    "org:regions": lambda w: _s(reverse("org:regions")),
    "org:region_boundary": lambda w: _s(reverse("org:region_boundary", args=["440311"])),
    "org:region_boundary_remove": lambda w: _s(reverse("org:region_boundary_remove", args=["440311"])),
    # personal information
    "privacy:notice": lambda w: _s(reverse("privacy:notice")),
    "privacy:notice_version": lambda w: _s(reverse("privacy:notice_version", args=[_notice_version()])),
    "privacy:mine": lambda w: _s(reverse("privacy:mine")),
    "privacy:my_copy": lambda w: _s(reverse("privacy:my_copy", args=[w.data_request.number])),
    "privacy:my_withdraw": lambda w: _s(reverse("privacy:my_withdraw", args=[w.data_request.number])),
    "privacy:requests": lambda w: _s(reverse("privacy:requests")),
    "privacy:request_new": lambda w: _s(reverse("privacy:request_new")),
    "privacy:request": lambda w: _s(reverse("privacy:request", args=[w.data_request.number])),
    "privacy:request_copy": lambda w: _s(reverse("privacy:request_copy", args=[w.data_request.number])),
    "privacy:request_act[answer]": lambda w: _s(reverse("privacy:request_act", args=[w.data_request.number,
                                                                                     "answer"])),
    "privacy:exports": lambda w: _s(reverse("privacy:exports")),
    # leaders: owning cases (包案) and duty at service points (下沉接访)
    "commands:list": lambda w: _s(reverse("commands:list")),
    "commands:new": _case_url("commands:new"),
    "commands:detail": lambda w: _s(reverse("commands:detail", args=[w.command.number])),
    "commands:live": lambda w: _s(reverse("commands:live", args=[w.command.number])),
    "commands:photo": lambda w: _s(reverse("commands:photo", args=[w.command.number, w.checkin.target_id])),
    "commands:sign": lambda w: _s(reverse("commands:sign", args=[w.command_awaiting.number])),
    "commands:checkin": lambda w: _s(reverse("commands:checkin", args=[w.command.number, w.command_target.pk])),
    "commands:post": lambda w: _s(reverse("commands:post", args=[w.command.number]), text="已到场"),
    "commands:close": lambda w: _s(reverse("commands:close", args=[w.command.number, "withdraw"]), reason="重复发令"),
    "backlog:board": lambda w: _s(reverse("backlog:board")),
    "dashboard:screen": lambda w: _s(reverse("dashboard:screen")),
    "dashboard:data": lambda w: _s(reverse("dashboard:data")),
    "backlog:campaign_new": lambda w: _s(reverse("backlog:campaign_new") + f"?by=community&key={w.case.region_id}"),
    "backlog:campaign": lambda w: _s(reverse("backlog:campaign", args=[w.campaign.pk])),
    "backlog:campaign_plan": lambda w: _s(reverse("backlog:campaign_plan", args=[w.campaign.pk, w.campaign_entry.pk]),
                                          plan="约谈责任单位"),
    "backlog:campaign_batch": lambda w: _s(reverse("backlog:campaign_batch", args=[w.campaign.pk]),
                                           action="supervise", codes=w.case.code, reason="三日内反馈"),
    "warnings:list": lambda w: _s(reverse("warnings:list")),
    "warnings:detail": lambda w: _s(reverse("warnings:detail", args=[w.warning.pk])),
    "warnings:acknowledge": lambda w: _s(reverse("warnings:acknowledge", args=[w.warning.pk]), note="已知悉"),
    "warnings:action": lambda w: _s(reverse("warnings:action", args=[w.warning.pk]), action="已约谈企业"),
    "warnings:close": lambda w: _s(reverse("warnings:close", args=[w.warning.pk]), outcome="false_alarm",
                                   result="经核实为误报"),
    "leadership:home": lambda w: _s(reverse("leadership:home")),
    "leadership:take": _case_url("leadership:take"),
    "leadership:supervise": lambda w: _s(reverse("leadership:supervise", args=[w.ownership.pk])),
    "leadership:release": lambda w: _s(reverse("leadership:release", args=[w.ownership.pk])),
    "leadership:shift_new": lambda w: _s(reverse("leadership:shift_new")),
    "leadership:shift_record": lambda w: _s(reverse("leadership:shift_record", args=[w.shift.pk])),
}


def _notice_version() -> str:
    from fengqiao.privacy import notices

    return notices.CURRENT


def _point_token() -> str:
    from fengqiao.org.models import ServicePoint

    return ServicePoint.objects.filter(is_active=True).order_by("pk").values_list("token", flat=True).first()


# --- asking ---------------------------------------------------------------------------------------------------------

LOGIN_PATHS = frozenset({"/accounts/login/", "/accounts/2fa/", "/admin/login/"})


def outcome(response) -> str:
    """'allowed', 'login' (sent to sign in), 'denied' (403/404, or a stranger sent back to /track/), 'error'."""
    status = response.status_code
    if status in (301, 302, 303):
        location = response["Location"]
        if location.split("?", 1)[0] in LOGIN_PATHS:
            return "login"
        if location.startswith(("/track/?", "/mediators/booking/?")):
            return "denied"  # a stranger is sent back to the form that asks for the code and the phone
        return "allowed"
    if status in (401, 403, 404):
        return "denied"
    if status == 405:
        return "error"  # the table declares a method the view does not take
    if status >= 500:
        return "error"
    return "allowed"


@dataclass
class Answer:
    status: int
    outcome: str
    writes: list[str]


def ask(client: Client, method: str, sample: Sample, *, headers: dict | None = None, body: str | None = None
        ) -> Answer:
    """One request in a savepoint rolled back after it; the tables it wrote outside the bookkeeping ones."""
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    cache.clear()  # rate limits count per test run, not across the walk
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(sample.path, sample.query, headers=headers or {})
        elif body is not None:
            response = client.generic(method, sample.path, body, content_type="application/json",
                                      headers=headers or {})
        elif method == "DELETE":
            response = client.delete(sample.path, headers=headers or {})
        else:
            path = sample.path + (f"?{'&'.join(f'{k}={v}' for k, v in sample.query.items())}" if sample.query else "")
            response = client.post(path, sample.data, headers=headers or {})
        transaction.set_rollback(True)
    client.cookies = cookies  # a sign-out or a new session must not carry over to the next request
    writes = sorted({m.group(2) for q in queries.captured_queries if (m := WRITE_SQL.match(q["sql"]))
                     and not BOOKKEEPING.match(m.group(2))})
    return Answer(response.status_code, outcome(response), writes)


def check(rule: P.Rule, method: str, answers: dict[str, Answer]) -> list[str]:
    allowed = rule.allowed(method)
    problems = []
    for principal, answer in answers.items():
        if answer.outcome == "error":
            problems.append(f"{principal}: server error {answer.status}")
        elif principal in allowed and answer.outcome != "allowed":
            problems.append(f"{principal}: refused ({answer.status}) but the table allows it")
        elif principal not in allowed and answer.outcome == "allowed":
            problems.append(f"{principal}: allowed ({answer.status}) but the table refuses it")
        elif principal not in allowed and method != "GET" and answer.writes:
            problems.append(f"{principal}: refused, yet it wrote to {answer.writes}")
    return problems


def _methods(rule: P.Rule) -> list[str]:
    return [m for m, chosen in (("GET", rule.get), ("POST", rule.post)) if chosen is not None]


@pytest.mark.parametrize("key", sorted(P.VIEWS))
def test_each_page_answers_as_the_table_says(key, world, browsers, cast):
    rule = P.VIEWS[key]
    assert key in SAMPLES, f"{key}: add a sample request to SAMPLES in {__name__}"
    sample = SAMPLES[key](world)
    problems = []
    for method in _methods(rule):
        answers = {principal: ask(browsers[principal], method, sample) for principal in P.PRINCIPALS}
        problems += [f"{method} {sample.path} {p}" for p in check(rule, method, answers)]
    assert not problems, f"{key}:\n  " + "\n  ".join(problems)


def test_nobody_without_is_staff_reaches_the_admin(world, browsers, cast):
    """Every admin URL sends anyone without is_staff to sign in (object URLs with an id that need not exist): the
    whole admin for a visitor and for a member without is_staff, the index for every principal."""
    patterns = url_names()
    paths = []
    for name in admin_patterns():
        if name in P.ADMIN_PUBLIC:
            continue
        kwargs = {k: "1" for pair in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", patterns[name]) for k in pair if k}
        try:
            paths.append(reverse(name, kwargs=kwargs) if kwargs else reverse(name))
        except Exception:  # noqa: BLE001 - a pattern whose kwargs are not plain ids: not walked
            continue
    assert len(paths) > 0.8 * (len(admin_patterns()) - len(P.ADMIN_PUBLIC)), "most admin URLs could not be built"
    problems = []
    everyone_else = [p for p in P.PRINCIPALS if p not in P.ADMIN.get]
    for principal in everyone_else:
        walked = paths if principal in (P.ANONYMOUS, Role.AUDITOR) else [reverse("admin:index")]
        for path in walked:
            answer = ask(browsers[principal], "GET", Sample(path))
            if answer.outcome != "login":
                problems.append(f"{principal} GET {path}: {answer.status}")
    admin = ask(browsers[Role.ADMINISTRATOR], "GET", Sample(reverse("admin:index")))
    assert admin.status == 200, "the administrator (is_staff, second factor) does not reach the admin"
    assert not problems, "admin URLs reached without is_staff:\n  " + "\n  ".join(problems[:40])


# --- the API and Open311 --------------------------------------------------------------------------------------------


def _api_sample(op: str, world: World) -> Sample:
    """The path of an operation on the sample objects, and a valid body for a write (so that a refusal is the gate's,
    never the body's: a body the schema refuses would answer 422 to everyone)."""
    c, app, sub = world.case, world.application, world.webhook
    paths = {
        "case_create": "/api/v1/cases", "case_list": "/api/v1/cases", "case_read": f"/api/v1/cases/{c.code}",
        "case_note": f"/api/v1/cases/{c.code}/notes", "case_attach": f"/api/v1/cases/{c.code}/attachments",
        "case_act": f"/api/v1/cases/{c.code}/actions/supervise",
        "webhook_list": "/api/v1/webhooks", "webhook_create": "/api/v1/webhooks",
        "webhook_delete": f"/api/v1/webhooks/{sub.pk}", "webhook_deliveries": f"/api/v1/webhooks/{sub.pk}/deliveries",
        "mediation_list": "/api/v1/mediations", "mediation_read": f"/api/v1/mediations/{world.mediation.pk}",
        "mediation_sessions": f"/api/v1/mediations/{world.mediation.pk}/sessions",
        "agreement_list": "/api/v1/agreements", "agreement_read": f"/api/v1/agreements/{world.agreement.pk}",
        "confirmation_list": "/api/v1/judicial-confirmations", "confirmation_file": "/api/v1/judicial-confirmations",
        "confirmation_read": f"/api/v1/judicial-confirmations/{app.pk}",
        "confirmation_accept": f"/api/v1/judicial-confirmations/{app.pk}/accept",
        "confirmation_not_accept": f"/api/v1/judicial-confirmations/{app.pk}/not-accept",
        "confirmation_extend": f"/api/v1/judicial-confirmations/{app.pk}/extend",
        "confirmation_ruling": f"/api/v1/judicial-confirmations/{app.pk}/ruling",
        "openapi-json": "/api/v1/openapi.json", "api-root": "/api/v1/",
        "open311:discovery": "/open311/v2/discovery.json", "open311:services": "/open311/v2/services.json",
        "open311:service": f"/open311/v2/services/{_service_code()}.json",
        "open311:requests": "/open311/v2/requests.json",
        "open311:request": f"/open311/v2/requests/{c.code}.json",
        "open311:token": f"/open311/v2/tokens/{c.code}.json",
        "open311:unknown": "/open311/v2/no-such-endpoint.json",
    }
    bodies = {
        "case_create": {"service_type": "complaint", "description": "小区门口路灯坏了一个星期，晚上出行不安全。",
                        "community_code": "440311001001"},
        "case_note": {"text": "已电话联系申请人。", "internal": True},
        "case_act": {"reason": "请加快办理。"},
        "webhook_create": {"url": "http://127.0.0.1:9/hooks/matrix", "events": ["case.created"]},
        "confirmation_file": {"agreement_id": world.agreement.pk},
        "confirmation_accept": {"court_case_number": "（2026）粤0311民特1号"},
        "confirmation_not_accept": {"reason": "不属于本院管辖。"},
        "confirmation_extend": {"approved_by": "院长", "reason": "案情复杂。"},
        "confirmation_ruling": {"confirmed": True, "ruling_number": "（2026）粤0311民特1号"},
    }
    sample = Sample(paths[op])
    sample.body = json.dumps(bodies.get(op, {}))
    if op == "case_attach":
        sample.files = True
    return sample


def ask_api(method: str, sample: Sample, headers: dict) -> Answer:
    if sample.files and method == "POST":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from .matrix_world import PNG

        upload = Sample(sample.path, {"file": SimpleUploadedFile("photo.png", PNG, content_type="image/png")})
        return ask(Client(), method, upload, headers=headers)
    return ask(Client(), method, sample, headers=headers, body=sample.body if method == "POST" else None)


def _service_code() -> str:
    from fengqiao.cases.models import Category

    return Category.objects.filter(parent__isnull=False).order_by("code").values_list("code", flat=True).first()


def _api_methods(op: str, rule: P.Rule) -> list[str]:
    operations = api_operations()
    if op in operations:
        return [operations[op][0]]
    return _methods(rule)


@pytest.mark.parametrize("op", sorted(P.API))
def test_each_api_operation_answers_as_the_table_says(op, world, cast):
    rule = P.API[op]
    sample = _api_sample(op, world)
    problems = []
    for method in _api_methods(op, rule):
        allowed_key = "GET" if method == "GET" else "POST"
        answers = {}
        for principal in P.API_PRINCIPALS:
            key = world.api_keys[principal]
            headers = {"Idempotency-Key": str(uuid.uuid4())} if method != "GET" else {}
            if op.startswith("open311:"):
                query = {"api_key": key} if key else {}
                probe = Sample(sample.path, dict(query), dict(query))
                answers[principal] = ask(Client(), method, probe, headers=headers)
                continue
            if key:
                headers["Authorization"] = f"Bearer {key}"
            answers[principal] = ask_api(method, sample, headers)
        problems += [f"{method} {sample.path} {p}" for p in check(rule, allowed_key, answers)]
    assert not problems, f"{op}:\n  " + "\n  ".join(problems)
