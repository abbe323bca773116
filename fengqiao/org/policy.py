"""The authorization matrix: who may reach every page and every API operation, declared as data.

One row per URL name (``namespace:name`` as ``django.urls`` knows it; a ``[variant]`` suffix when one URL answers
different people depending on what it names, e.g. ``cases:act[note]``) and one per API operation (the django-ninja
``operationId`` of ``/api/v1/``, and ``open311:<name>`` for the Open311 endpoints). Each row says, for reading
(GET) and for writing (POST, DELETE), which *principals* may pass the gate. A principal is who is asking:

- ``anonymous`` — nobody signed in; ``tracker`` — not signed in, but this browser verified the case's code and the
  last four digits of the phone on ``/track/`` (or made the booking);
- ``outsider`` — signed in, no membership, no case of their own; ``resident`` — signed in, the applicant of the
  case (the petitioner, the party booking a mediator) the page is about;
- each staff role of ``fengqiao.org.models.Role``: a member whose unit's scope covers the object the page is about
  (``org.access.scope_for`` / ``may``); the administrator is also ``is_staff`` for the Django admin;
- relations no role gives: ``counsellor`` (the psychologist running the engagement), ``petition_officer`` (a
  handler of the petition office serving the place);
- ``operator_elsewhere``, ``handler_elsewhere`` — the same roles in another district or department: on an object
  outside their scope they are refused like an outsider (404), which is what ``scoped`` rows promise.

API principals are partner keys (``fengqiao.api.models.ApiScope``) acting through a service account (an operator of
the district centre unless named otherwise).

The test ``fengqiao/org/tests/test_authorization_matrix.py`` walks every URL pattern and API operation for every
principal and fails when a URL or operation has no row here, or when what a principal gets differs from its row.
Refusals follow the platform's convention: not signed in → the sign-in page; signed in but not allowed → 403, or 404
when the object is outside the user's scope (it does not exist for them); the tracking pages send a stranger back
to ``/track/``. The Django admin (``/admin/``) is governed by Django itself: ``is_staff`` with the second factor,
then each model's permissions; the matrix checks that nobody without ``is_staff`` reaches any admin URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.org.access import ROLE_CAPABILITIES, Capability
from fengqiao.org.models import Role

# --- who asks -------------------------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
TRACKER = "tracker"
OUTSIDER = "outsider"
RESIDENT = "resident"
COUNSELLOR = "counsellor"
PETITION_OFFICER = "petition_officer"
OPERATOR_ELSEWHERE = "operator_elsewhere"
HANDLER_ELSEWHERE = "handler_elsewhere"

ROLES: tuple[str, ...] = tuple(Role.values)
PRINCIPALS: tuple[str, ...] = (
    ANONYMOUS, TRACKER, OUTSIDER, RESIDENT, *ROLES, COUNSELLOR, PETITION_OFFICER, OPERATOR_ELSEWHERE, HANDLER_ELSEWHERE,
)
ELSEWHERE = frozenset({OPERATOR_ELSEWHERE, HANDLER_ELSEWHERE})

API_NO_KEY = "api:no_key"
API_OPEN311 = "api:open311"  # scope open311 only
API_READ = "api:cases_read"  # scope cases:read
API_CASES = "api:cases"  # scope cases (read and change)
API_CASES_PII = "api:cases+pii"  # scopes cases and pii
API_COURT = "api:court"  # scope cases, service account: a clerk of the court
API_ELSEWHERE = "api:elsewhere"  # scopes cases and pii, service account: an operator of another district
API_PRINCIPALS: tuple[str, ...] = (API_NO_KEY, API_OPEN311, API_READ, API_CASES, API_CASES_PII, API_COURT, API_ELSEWHERE)

Who = frozenset[str]

# Roles that read and change nothing (separation of duties): refused every write in VIEWS and API.
READ_ONLY_ROLES: frozenset[str] = frozenset({Role.AUDITOR})


def who(*names: str) -> Who:
    unknown = set(names) - set(PRINCIPALS) - set(API_PRINCIPALS)
    if unknown:
        raise ValueError(f"unknown principals: {sorted(unknown)}")
    return frozenset(names)


EVERYONE = frozenset(PRINCIPALS)
NOBODY: Who = frozenset()
SIGNED_IN = EVERYONE - {ANONYMOUS, TRACKER}
STAFF = frozenset({*ROLES, COUNSELLOR, PETITION_OFFICER, *ELSEWHERE})  # every member of a unit


def but(base: Who, *names: str) -> Who:
    return base - who(*names)


@dataclass(frozen=True)
class Rule:
    """Who may read (GET) and who may write (POST/DELETE) through one URL or operation.

    ``None`` means the URL does not take that method (it answers 405 to everyone); an empty set means nobody may.
    ``scoped``: the URL names one object, which must be in the reader's scope (404 otherwise).
    ``needs``: the capability or rule that decides (documentation: the view's gate).
    ``writes``: False when the POST changes nothing (a search sent as a form, so the text stays out of the URL).
    """

    get: Who | None = None
    post: Who | None = None
    scoped: bool = False
    needs: str = ""
    writes: bool = True

    def allowed(self, method: str) -> Who:
        chosen = self.get if method == "GET" else self.post
        if chosen is None:
            raise KeyError(f"{method} is not declared for this URL")
        return chosen


# --- who holds what (from fengqiao.org.access, so a change of ROLE_CAPABILITIES shows here) -------------------------

C = Capability
# A handler of the petition office reads and notes the cases of the region it serves and works their petitions
# (fengqiao.org.access._petition_grant).
PETITION_OFFICE_CAPABILITIES = frozenset({C.CASE_VIEW, C.CASE_PETITION, C.CASE_NOTE})


def holders(capability: Capability) -> Who:
    """The principals whose role gives `capability` on an object in their scope (the counsellor is a mediator)."""
    roles = {role for role, caps in ROLE_CAPABILITIES.items() if capability in caps}
    if Role.MEDIATOR in roles:
        roles.add(COUNSELLOR)
    if capability in PETITION_OFFICE_CAPABILITIES:
        roles.add(PETITION_OFFICER)
    return frozenset(roles)


CASE_STAFF = holders(C.CASE_VIEW)  # staff who see a case in their scope (the case page as staff)
CASE_READERS = CASE_STAFF | {RESIDENT}  # and its resident (the public view of it)
INTAKE = holders(C.CASE_INTAKE) | {OPERATOR_ELSEWHERE}  # a form, not an object: any district's intake staff
MEDIATION_TEAM = who(Role.MEDIATOR, COUNSELLOR)  # the committee's mediators and the team (the psychologist on it)
MEDIATION_READERS = MEDIATION_TEAM | {Role.LEADER, Role.AUDITOR}  # and those who read the committee's work
# Documents holding personal data: staff who see the object and hold pii.export (fengqiao.privacy.export_check; the
# petition office's staff are handlers). An auditor reads them on screen but takes nothing out.
EXPORT = CASE_STAFF & (holders(C.PII_EXPORT) | {PETITION_OFFICER})
OWN_BROWSER = who(TRACKER, RESIDENT)  # the browser that verified the case (or booked), or the signed-in resident

# --- the pages ------------------------------------------------------------------------------------------------------

VIEWS: dict[str, Rule] = {
    # the front door, signing in, language
    "core:home": Rule(get=EVERYONE, needs="visitors get the portal, the signed-in their home"),
    "core:healthz": Rule(get=EVERYONE, needs="public: whether the database and the queue answer, nothing more"),
    "favicon": Rule(get=EVERYONE),
    "set_language": Rule(get=EVERYONE, post=EVERYONE),
    "accounts:login": Rule(get=EVERYONE, post=EVERYONE, needs="the signed-in are sent on"),
    "accounts:logout": Rule(post=EVERYONE),
    "accounts:2fa": Rule(get=SIGNED_IN, post=SIGNED_IN, needs="staff pass the second factor; others are sent on"),
    # the workbench
    "cases:list": Rule(get=STAFF, post=STAFF, writes=False,
                       needs="any membership; the rows are Case.objects.visible_to (none for the administrator); "
                             "a search is posted and read back through a token"),
    "cases:bulk": Rule(post=holders(C.CASE_DISPATCH) | {OPERATOR_ELSEWHERE},
                       needs="case.dispatch to try at all, then each case through case_dispatch (its scope)"),
    "cases:detail": Rule(get=CASE_READERS, scoped=True, needs="visible_to; the resident gets the public view"),
    "cases:reveal": Rule(post=holders(C.PII_REVEAL), scoped=True, needs="pii.reveal on the case, recorded"),
    "cases:act[note]": Rule(post=holders(C.CASE_NOTE), scoped=True, needs="case.note (viewing is never enough)"),
    "cases:act[sign]": Rule(post=holders(C.CASE_HANDLE), scoped=True, needs="case.handle"),
    "cases:act[supervise]": Rule(post=holders(C.CASE_DISPATCH), scoped=True, needs="case.dispatch"),
    "cases:act[accept]": Rule(post=holders(C.CASE_REVIEW), scoped=True, needs="case.review"),
    "cases:act[withdraw]": Rule(post=holders(C.CASE_REVIEW) | {RESIDENT}, scoped=True,
                                needs="case.review, or the resident who raised it"),
    "triage:accept": Rule(post=holders(C.CASE_REVIEW), scoped=True, needs="case.review (unit: case.dispatch)"),
    "triage:correct": Rule(post=holders(C.CASE_REVIEW), scoped=True, needs="case.review"),
    "triage:run": Rule(post=holders(C.CASE_REVIEW), scoped=True, needs="case.review"),
    "triage:merge": Rule(post=holders(C.CASE_REVIEW), scoped=True, needs="case.review on both cases"),
    "triage:link": Rule(post=holders(C.CASE_REVIEW), scoped=True, needs="case.review"),
    "notifications:inbox": Rule(get=SIGNED_IN, needs="one's own notifications"),
    "notifications:read": Rule(post=SIGNED_IN, needs="marks one's own notifications read"),
    # residents
    "intake:report": Rule(get=EVERYONE, post=EVERYONE, needs="public form, rate-limited per IP and phone"),
    "intake:done": Rule(get=OWN_BROWSER, scoped=True, needs="the browser that sent it, or its resident"),
    "intake:area": Rule(get=EVERYONE),
    "intake:track": Rule(get=EVERYONE, post=EVERYONE, needs="code + last four digits, rate-limited"),
    "intake:track_case": Rule(get=OWN_BROWSER, scoped=True, needs="tracking.may_track"),
    "intake:track_act[add]": Rule(post=OWN_BROWSER, scoped=True, needs="tracking.may_track"),
    "intake:attachment[public]": Rule(get=CASE_STAFF | OWN_BROWSER, scoped=True,
                                      needs="a public file: whoever may track or see the case"),
    "intake:attachment[private]": Rule(get=CASE_STAFF, scoped=True, needs="an internal file: staff who see the case"),
    "intake:my_cases": Rule(get=SIGNED_IN, needs="one's own demands"),
    "intake:signup": Rule(get=EVERYONE, post=EVERYONE, needs="the signed-in are sent to /my/"),
    # staff channels
    "intake:staff_new": Rule(get=INTAKE, post=INTAKE, needs="case.intake; places limited to the member's regions"),
    "intake:staff_lookup": Rule(post=INTAKE, writes=False, needs="case.intake; earlier cases through visible_to (a POST: the phone "
                                                "never goes into a URL)"),
    "intake:grid_report": Rule(get=holders(C.CASE_REPORT), post=holders(C.CASE_REPORT), needs="case.report"),
    "intake:grid_reports": Rule(get=holders(C.CASE_REPORT), needs="case.report; one's own reports"),
    "intake:qr_code": Rule(get=EVERYONE, needs="public: the codes are printed on walls"),
    "intake:qr_sheet": Rule(get=STAFF, needs="any membership (staff print the sheets)"),
    "intake:qr_sheet_pdf": Rule(get=STAFF, needs="any membership"),
    # bulk import
    "imports:index": Rule(get=INTAKE, post=INTAKE, needs="case.intake"),
    "imports:batch": Rule(get=holders(C.CASE_INTAKE), scoped=True, needs="case.intake; ImportBatch.visible_to"),
    "imports:progress": Rule(get=holders(C.CASE_INTAKE), scoped=True, needs="case.intake; ImportBatch.visible_to"),
    "imports:report": Rule(get=holders(C.CASE_INTAKE), scoped=True, needs="case.intake; ImportBatch.visible_to"),
    "imports:start": Rule(post=holders(C.CASE_INTAKE), scoped=True, needs="case.intake; ImportBatch.visible_to"),
    "imports:resume": Rule(post=holders(C.CASE_INTAKE), scoped=True, needs="case.intake; ImportBatch.visible_to"),
    # finding and booking a mediator (residents)
    "mediators:directory": Rule(get=EVERYONE),
    "mediators:mediator": Rule(get=EVERYONE),
    "mediators:book": Rule(get=EVERYONE, post=EVERYONE, needs="public form, rate-limited"),
    "mediators:booked": Rule(get=who(RESIDENT), scoped=True, needs="the browser that booked, or its resident"),
    "mediators:manage": Rule(get=EVERYONE, post=EVERYONE, needs="booking code + phone, rate-limited"),
    "mediators:booking": Rule(get=who(RESIDENT), scoped=True, needs="the browser that booked, or its resident"),
    "mediators:cancel": Rule(post=who(RESIDENT), scoped=True, needs="the browser that booked, or its resident"),
    "mediators:move": Rule(post=who(RESIDENT), scoped=True, needs="the browser that booked, or its resident"),
    "mediators:rate": Rule(post=who(RESIDENT), scoped=True, needs="the browser that booked, or its resident"),
    # the mediator's workspace
    "mediation:home": Rule(get=MEDIATION_READERS, needs="mediation.casework.has_workspace"),
    "mediation:open_case": Rule(get=CASE_STAFF, post=MEDIATION_TEAM, scoped=True,
                                needs="staff who see the case read why they may not; casework.open_refusal"),
    "mediation:open_booking": Rule(get=MEDIATION_TEAM, post=MEDIATION_TEAM, scoped=True,
                                   needs="casework.booking_refusal: the booked mediator's committee"),
    "mediation:detail": Rule(get=MEDIATION_READERS, scoped=True, needs="casework.mediations_visible_to"),
    **{f"mediation:{name}": Rule(post=MEDIATION_TEAM, scoped=True, needs="casework.may_work (leaders, auditors: 403)")
       for name in ("team_add", "team_remove", "session_schedule", "session_hold", "session_cancel", "attendee_add",
                    "record_sign", "extend", "conclude")},
    # agreements (staff pages; the party's copy is agreements:track_pdf)
    "agreements:new": Rule(get=MEDIATION_TEAM, post=MEDIATION_TEAM, scoped=True,
                           needs="agreements.may_draw_up: the mediation's team with case.mediate"),
    "agreements:detail": Rule(get=CASE_STAFF, scoped=True, needs="staff who see the case"),
    "agreements:edit": Rule(post=who(Role.MEDIATOR), scoped=True, needs="agreements.may_draw_up"),
    "agreements:act[void]": Rule(post=who(Role.MEDIATOR), scoped=True, needs="agreements.may_draw_up"),
    "agreements:pdf": Rule(get=EXPORT, scoped=True, needs="case.view and pii.export, recorded"),
    "agreements:scan": Rule(get=EXPORT, post=who(Role.MEDIATOR), scoped=True,
                            needs="read: case.view and pii.export, recorded; upload: agreements.may_draw_up"),
    "agreements:followups": Rule(get=SIGNED_IN, needs="a list of the visits in the user's scope"),
    "agreements:followup_record": Rule(post=MEDIATION_TEAM, scoped=True,
                                       needs="agreements.may_seal: a mediator of the committee or the team"),
    "agreements:track_pdf": Rule(get=OWN_BROWSER, scoped=True, needs="tracking.may_track: the party's own copy"),
    "agreements:verify": Rule(get=EVERYONE, needs="public: genuine or not, no personal data"),
    "agreements:verify_code": Rule(get=EVERYONE, needs="public: genuine or not, no personal data"),
    # the legal routes
    "legal:home": Rule(get=STAFF, needs="any membership; lists through the legal selectors"),
    "legal:apply": Rule(get=MEDIATION_TEAM, post=MEDIATION_TEAM, scoped=True, needs="case.mediate on the case"),
    "legal:application": Rule(get=CASE_STAFF, scoped=True, needs="selectors.applications_visible_to"),
    "legal:application_pdf": Rule(get=EXPORT, scoped=True, needs="applications_visible_to and pii.export, recorded"),
    "legal:application_package": Rule(get=EXPORT, scoped=True,
                                      needs="applications_visible_to and pii.export, recorded"),
    "legal:application_act[accept]": Rule(post=who(Role.COURT_CLERK), scoped=True,
                                          needs="a clerk of the court it was filed with"),
    "legal:court": Rule(get=who(Role.COURT_CLERK), needs="case.judicial"),
    "legal:pre_litigation": Rule(get=who(Role.COURT_CLERK), post=who(Role.COURT_CLERK), needs="case.judicial"),
    "legal:inbox": Rule(get=who(Role.OPERATOR, Role.HANDLER, Role.MEDIATOR, Role.COURT_CLERK, Role.LEADER,
                                COUNSELLOR, PETITION_OFFICER, *ELSEWHERE),
                        needs="legal.rules.LINKAGE_ACTOR_ROLES: one's own units' hand-overs"),
    "legal:linkage_new": Rule(get=who(Role.OPERATOR, Role.HANDLER, Role.MEDIATOR, Role.COURT_CLERK, Role.LEADER,
                                      COUNSELLOR, PETITION_OFFICER),
                              post=who(Role.OPERATOR, Role.HANDLER, Role.MEDIATOR, Role.COURT_CLERK, Role.LEADER,
                                       COUNSELLOR, PETITION_OFFICER),
                              scoped=True, needs="staff who see the case, sending from a unit of theirs"),
    "legal:linkage": Rule(get=CASE_STAFF, scoped=True, needs="selectors.linkages_visible_to"),
    "legal:linkage_act[accept]": Rule(post=MEDIATION_TEAM, scoped=True, needs="a member of the receiving unit"),
    "legal:referral_new": Rule(get=holders(C.CASE_HANDLE), post=holders(C.CASE_HANDLE), scoped=True,
                               needs="linkages.acting_unit: case.mediate or case.handle on the case"),
    "legal:referral": Rule(get=CASE_STAFF, scoped=True, needs="selectors.referrals_visible_to"),
    "legal:referral_pdf": Rule(get=EXPORT, scoped=True, needs="referrals_visible_to and pii.export, recorded"),
    "legal:referral_act[receive]": Rule(post=holders(C.CASE_HANDLE), scoped=True,
                                        needs="the receiving body, or linkages.acting_unit on the case"),
    # petitions
    "petitions:list": Rule(get=who(PETITION_OFFICER, Role.AUDITOR, RESIDENT),
                           needs="case.petition or audit.read; a petitioner is sent to their own"),
    "petitions:mine": Rule(get=SIGNED_IN, needs="one's own petitions"),
    "petitions:register": Rule(get=who(PETITION_OFFICER), post=who(PETITION_OFFICER), scoped=True,
                               needs="petitions.services.may_register"),
    "petitions:detail": Rule(get=who(PETITION_OFFICER, Role.AUDITOR, RESIDENT), scoped=True,
                             needs="Petition.objects.visible_to, or its petitioner (their own view)"),
    "petitions:act[start]": Rule(post=who(PETITION_OFFICER), scoped=True, needs="petitions.services.may_work"),
    "petitions:act[request_review]": Rule(post=who(PETITION_OFFICER, RESIDENT), scoped=True,
                                          needs="the office, or the petitioner for their own requests"),
    "petitions:pdf": Rule(get=who(PETITION_OFFICER, RESIDENT), scoped=True,
                          needs="the office with pii.export, or the petitioner's own (the auditor reads on screen)"),
    # psychological service (narrower than any case scope)
    "counselling:list": Rule(get=SIGNED_IN, needs="one's own engagements and those shared with one"),
    "counselling:open": Rule(post=who(COUNSELLOR), needs="a psychologist, on a case they may counsel on"),
    "counselling:audit": Rule(get=who(Role.AUDITOR), needs="audit.read: the access log, never the records"),
    "counselling:detail": Rule(get=who(COUNSELLOR), scoped=True, needs="counselling.rules.read_basis (or a grant)"),
    "counselling:export": Rule(get=who(COUNSELLOR), scoped=True, needs="counselling.rules.read_basis (or a grant)"),
    "counselling:log": Rule(get=who(COUNSELLOR, Role.AUDITOR), scoped=True, needs="services.may_see_log"),
    "counselling:revoke": Rule(post=who(COUNSELLOR), scoped=True, needs="the counsellor only"),
    "counselling:write[record]": Rule(post=who(COUNSELLOR), scoped=True, needs="the counsellor only"),
    # the second factor's recovery codes
    "accounts:recovery": Rule(get=SIGNED_IN, post=SIGNED_IN, needs="staff with the second factor; others sent on"),
    # separation of duties (fengqiao.org.grants)
    "org:grants": Rule(get=holders(C.GRANT_APPROVE), needs="grant.approve"),
    "org:grant_decide": Rule(post=holders(C.GRANT_APPROVE), needs="grant.approve; never one's own request or role"),
    "org:grant_audit": Rule(get=holders(C.AUDIT_READ), needs="audit.read"),
    # region outlines (fengqiao.org.boundary_views): the system administrator, for the regions of their units
    "org:regions": Rule(get=holders(C.ORG_ADMIN), needs="org.admin: the regions under one's units"),
    "org:region_boundary": Rule(get=holders(C.ORG_ADMIN), post=holders(C.ORG_ADMIN), scoped=True,
                                needs="org.admin, the region under one's units (a refused upload writes nothing)"),
    "org:region_boundary_remove": Rule(post=holders(C.ORG_ADMIN), scoped=True,
                                       needs="org.admin, the region under one's units"),
    # the tamper-evident audit trail (fengqiao.audit)
    "audit:chain": Rule(get=holders(C.AUDIT_READ), needs="audit.read: the anchors, a case in one's scope checked"),
    # personal information (fengqiao.privacy)
    "privacy:notice": Rule(get=EVERYONE, needs="public"),
    "privacy:notice_version": Rule(get=EVERYONE, needs="public"),
    "privacy:mine": Rule(get=SIGNED_IN, post=SIGNED_IN, needs="one's own requests about one's own data"),
    "privacy:my_copy": Rule(get=who(RESIDENT), scoped=True, needs="the resident who asked"),
    "privacy:my_withdraw": Rule(post=who(RESIDENT), scoped=True, needs="the resident who asked"),
    "privacy:requests": Rule(get=holders(C.PII_REQUEST) | {OPERATOR_ELSEWHERE},
                             needs="pii.request; the requests of the units in one's scope"),
    "privacy:request_new": Rule(get=INTAKE, post=INTAKE, needs="case.intake (identity checked at a service point)"),
    "privacy:request": Rule(get=holders(C.PII_REQUEST), scoped=True, needs="pii.request for the answering unit"),
    "privacy:request_copy": Rule(get=holders(C.PII_REQUEST) & holders(C.PII_EXPORT), scoped=True,
                                 needs="pii.request and pii.export, recorded"),
    "privacy:request_act[answer]": Rule(post=holders(C.PII_REQUEST), scoped=True,
                                        needs="pii.request for the answering unit"),
    "privacy:exports": Rule(get=holders(C.AUDIT_READ), needs="audit.read: the export log"),
    # commands and check-in (fengqiao.commands): the command group is the issuing centre's operators and leaders and
    # the commanded units' handlers, mediators and leaders; staff who see the case read the command too
    "commands:list": Rule(get=who(Role.OPERATOR, Role.LEADER, Role.HANDLER, Role.MEDIATOR, COUNSELLOR, PETITION_OFFICER,
                                  OPERATOR_ELSEWHERE, HANDLER_ELSEWHERE),
                          needs="a centre's operator or leader, or a member of a unit that can be commanded"),
    "commands:new": Rule(post=who(Role.OPERATOR, Role.LEADER), scoped=True,
                         needs="a centre's operator or leader with case.dispatch on the case"),
    "commands:detail": Rule(get=CASE_STAFF, scoped=True,
                            needs="the command group, or staff who see the case"),
    "commands:live": Rule(get=CASE_STAFF, scoped=True, needs="the command group, or staff who see the case"),
    "commands:photo": Rule(get=CASE_STAFF, scoped=True, needs="the command group, or staff who see the case"),
    "commands:sign": Rule(post=who(Role.LEADER), scoped=True, needs="the head (leader) of the issuing centre"),
    "commands:checkin": Rule(post=who(Role.HANDLER), scoped=True, needs="a member of the commanded unit"),
    "commands:post": Rule(post=who(Role.OPERATOR, Role.HANDLER), scoped=True,
                          needs="the issuing centre or a commanded unit"),
    "commands:close": Rule(post=who(Role.OPERATOR), scoped=True,
                           needs="the issuing centre's operator or leader with case.dispatch on the case"),
    # the backlog board and special campaigns (fengqiao.backlog)
    "backlog:board": Rule(get=holders(C.CASE_DISPATCH) | holders(C.CASE_OWN) | holders(C.AUDIT_READ)
                          | {OPERATOR_ELSEWHERE}, needs="case.dispatch, case.own or audit.read; counts in one's scope"),
    "backlog:campaign_new": Rule(get=holders(C.CASE_DISPATCH) | holders(C.CASE_OWN) | holders(C.AUDIT_READ)
                                 | {OPERATOR_ELSEWHERE},
                                 post=holders(C.CASE_DISPATCH) | {OPERATOR_ELSEWHERE},
                                 needs="reading the board; creating needs case.dispatch"),
    "backlog:campaign": Rule(get=(holders(C.CASE_DISPATCH) | holders(C.CASE_OWN) | holders(C.AUDIT_READ)) & CASE_STAFF,
                             scoped=True, needs="reading the board, and a case of the campaign in one's scope"),
    "backlog:campaign_plan": Rule(post=holders(C.CASE_DISPATCH) & CASE_STAFF, scoped=True,
                                  needs="case.dispatch, a case of the campaign in one's scope"),
    "backlog:campaign_batch": Rule(post=holders(C.CASE_DISPATCH) & CASE_STAFF, scoped=True,
                                   needs="case.dispatch, a case of the campaign in one's scope"),
    # the big screen (fengqiao.dashboard.views.screen): the page draws dashboard:data, so it has the same readers
    "dashboard:screen": Rule(get=holders(C.CASE_DISPATCH) | holders(C.CASE_OWN) | holders(C.AUDIT_READ)
                             | {OPERATOR_ELSEWHERE}, needs="case.dispatch, case.own or audit.read (as dashboard:data)"),
    # its figures (fengqiao.dashboard.data): a member holding case.dispatch, case.own or audit.read in a unit whose
    # scope covers regions (a centre) sees those regions (dashboard.selectors.screen_region_ids); another region: 404
    "dashboard:data": Rule(get=holders(C.CASE_DISPATCH) | holders(C.CASE_OWN) | holders(C.AUDIT_READ)
                           | {OPERATOR_ELSEWHERE}, needs="case.dispatch, case.own or audit.read in a centre"),
    # the early-warning radar (fengqiao.warnings): centre leaders, operators and auditors of the place's region, and
    # the suggested owner unit's handlers and leaders (fengqiao.warnings.rules)
    "warnings:list": Rule(get=who(Role.LEADER, Role.OPERATOR, Role.AUDITOR, Role.HANDLER, PETITION_OFFICER,
                                  OPERATOR_ELSEWHERE, HANDLER_ELSEWHERE),
                          needs="leader, operator or auditor of a centre, or handler/leader of a unit; warnings in scope"),
    "warnings:detail": Rule(get=who(Role.LEADER, Role.OPERATOR, Role.AUDITOR, Role.HANDLER), scoped=True,
                            needs="a centre covering the place (leader, operator, auditor) or the suggested owner"),
    "warnings:acknowledge": Rule(post=who(Role.LEADER, Role.OPERATOR, Role.HANDLER), scoped=True,
                                 needs="leader or operator of a centre covering the place, or the suggested owner"),
    "warnings:action": Rule(post=who(Role.LEADER, Role.OPERATOR, Role.HANDLER), scoped=True,
                            needs="leader or operator of a centre covering the place, or the suggested owner"),
    "warnings:close": Rule(post=who(Role.LEADER, Role.OPERATOR), scoped=True,
                           needs="leader or operator of a centre covering the place"),
    # leaders (fengqiao.leadership)
    "leadership:home": Rule(get=holders(C.CASE_OWN), needs="case.own"),
    "leadership:take": Rule(post=holders(C.CASE_OWN), scoped=True, needs="case.own on the case"),
    "leadership:supervise": Rule(post=holders(C.CASE_OWN), scoped=True, needs="the leader who owns the case"),
    "leadership:release": Rule(post=holders(C.CASE_OWN), scoped=True, needs="the leader who owns the case"),
    "leadership:shift_new": Rule(post=holders(C.CASE_OWN), needs="case.own; points in the leader's regions"),
    "leadership:shift_record": Rule(post=holders(C.CASE_OWN), scoped=True, needs="the leader on that shift"),
}

# --- the REST API and Open311 ---------------------------------------------------------------------------------------

API_ANY_KEY = who(API_READ, API_CASES, API_CASES_PII, API_COURT, API_ELSEWHERE)  # scope cases or cases:read
API_WRITERS = who(API_CASES, API_CASES_PII, API_COURT, API_ELSEWHERE)  # scope cases
API_IN_SCOPE = who(API_READ, API_CASES, API_CASES_PII, API_COURT)  # the sample objects are in their accounts' scope
API_OPEN311_PUBLIC = who(API_NO_KEY, API_OPEN311)  # no key, or a key with the open311 scope

API: dict[str, Rule] = {
    "openapi-json": Rule(get=frozenset(API_PRINCIPALS), needs="public: the document"),
    "api-root": Rule(get=NOBODY, needs="nothing is served at /api/v1/ itself"),
    "case_list": Rule(get=API_ANY_KEY, needs="cases:read; rows through visible_to of the service account"),
    "case_read": Rule(get=API_IN_SCOPE, scoped=True, needs="cases:read; visible_to (pii: unmasked, recorded)"),
    "case_create": Rule(post=who(API_CASES, API_CASES_PII, API_ELSEWHERE), needs="cases; case.intake of the account"),
    "case_note": Rule(post=API_IN_SCOPE & API_WRITERS, scoped=True, needs="cases; case.note of the account"),
    "case_attach": Rule(post=API_IN_SCOPE & API_WRITERS, scoped=True, needs="cases; case.note of the account"),
    "case_act": Rule(post=who(API_CASES, API_CASES_PII), scoped=True,
                     needs="cases; the action's capability (supervise: case.dispatch)"),
    "webhook_list": Rule(get=API_ANY_KEY, needs="cases:read; one's own subscriptions"),
    "webhook_create": Rule(post=API_ANY_KEY, needs="cases:read"),
    "webhook_delete": Rule(post=who(API_CASES), scoped=True, needs="the client that subscribed"),
    "webhook_deliveries": Rule(get=who(API_CASES), scoped=True, needs="the client that subscribed"),
    "mediation_list": Rule(get=API_ANY_KEY, needs="cases:read; mediations on visible cases"),
    "mediation_read": Rule(get=API_IN_SCOPE, scoped=True, needs="cases:read; visible_to"),
    "mediation_sessions": Rule(get=API_IN_SCOPE, scoped=True, needs="cases:read; visible_to"),
    "agreement_list": Rule(get=API_ANY_KEY, needs="cases:read"),
    "agreement_read": Rule(get=API_IN_SCOPE, scoped=True, needs="cases:read; visible_to"),
    "confirmation_list": Rule(get=API_ANY_KEY, needs="cases:read"),
    "confirmation_read": Rule(get=API_IN_SCOPE, scoped=True, needs="cases:read; applications_visible_to"),
    "confirmation_file": Rule(post=NOBODY, scoped=True, needs="cases; case.mediate (no sample key mediates)"),
    **{f"confirmation_{name}": Rule(post=who(API_COURT), scoped=True, needs="cases; a clerk of the court")
       for name in ("accept", "not_accept", "extend", "ruling")},
    "open311:discovery": Rule(get=frozenset(API_PRINCIPALS), needs="public"),
    "open311:services": Rule(get=frozenset(API_PRINCIPALS), needs="public"),
    "open311:service": Rule(get=frozenset(API_PRINCIPALS), needs="public"),
    "open311:requests": Rule(get=API_OPEN311_PUBLIC, post=who(API_OPEN311),
                             needs="read: public feed (a key must have open311); post: an open311 key"),
    "open311:request": Rule(get=API_OPEN311_PUBLIC, needs="public feed (a key must have open311)"),
    "open311:token": Rule(get=API_OPEN311_PUBLIC, needs="public feed (a key must have open311)"),
    "open311:unknown": Rule(get=NOBODY, needs="any other address under /open311/v2/ answers 404 in the format"),
}

# --- the Django admin -----------------------------------------------------------------------------------------------

ADMIN_NAMESPACE = "admin"
ADMIN_PUBLIC = frozenset({"admin:login", "admin:logout"})  # the admin's own sign-in and sign-out pages
ADMIN = Rule(get=who(Role.ADMINISTRATOR), post=who(Role.ADMINISTRATOR),
             needs="is_staff + second factor, then the model permissions (fengqiao.accounts.admin_site)")
