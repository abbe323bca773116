"""/mediations, /agreements, /judicial-confirmations: mediations with their sessions and agreements, and the judicial
confirmation of agreements, for partner systems such as a court's case system. Scoped like /cases: the key sees
what its service account sees (a court's account sees the applications to its court). Thin: fengqiao.legal does the
work, with the same rules as the pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from fengqiao.api.auth import key_auth
from fengqiao.api.casework import may_reveal
from fengqiao.api.idempotent import respond_once
from fengqiao.api.models import ApiClient, ApiScope
from fengqiao.api.present import text_out
from fengqiao.api.routers.cases import IDEMPOTENCY, errors
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case
from fengqiao.core.masking import mask_id, mask_name, mask_phone
from fengqiao.legal import selectors as sel
from fengqiao.legal import services as ls
from fengqiao.legal.models import ConfirmationApplication, MatterType
from fengqiao.mediation.models import (
    Agreement,
    Mediation,
    MediationOutcome,
    MediationSource,
    MeetingMode,
    Session,
)
from fengqiao.org.models import OrgUnit

router = Router(tags=["mediation"])
READ = key_auth(ApiScope.CASES_READ, ApiScope.CASES)
WRITE = key_auth(ApiScope.CASES)
PAGE = 50

MediationStatusValue = Literal[tuple(Mediation.Status.values)]  # type: ignore[valid-type]
MediationSourceValue = Literal[tuple(MediationSource.values)]  # type: ignore[valid-type]
OutcomeValue = Literal[tuple(MediationOutcome.values)]  # type: ignore[valid-type]
ModeValue = Literal[tuple(MeetingMode.values)]  # type: ignore[valid-type]
SessionStatusValue = Literal[tuple(Session.Status.values)]  # type: ignore[valid-type]
AgreementStatusValue = Literal[tuple(Agreement.Status.values)]  # type: ignore[valid-type]
AgreementFormValue = Literal[tuple(Agreement.Form.values)]  # type: ignore[valid-type]
ApplicationStatusValue = Literal[tuple(ConfirmationApplication.Status.values)]  # type: ignore[valid-type]
MatterValue = Literal[tuple(MatterType.values)]  # type: ignore[valid-type]


# --- schemas ----------------------------------------------------------------------------------------------


class Unit(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    seq: int
    mode: ModeValue
    status: SessionStatusValue
    scheduled_at: datetime
    held_at: datetime | None
    place: str


class MediationOut(Schema):
    id: int
    case_code: str
    committee: Unit
    source: MediationSourceValue
    status: MediationStatusValue
    opened_at: datetime
    due_at: datetime
    outcome: OutcomeValue | Literal[""]
    concluded_at: datetime | None
    agreement_id: int | None


class MediationDetail(MediationOut):
    facts: str
    matters: str
    sessions: list[SessionOut]


class MediationPage(Schema):
    items: list[MediationOut]
    next_after: int | None = Field(description="Pass as `after` for the next page; null at the end.")


class AgreementPartyOut(Schema):
    role: str
    name: str
    id_type: str
    id_number: str
    phone: str
    signed_at: datetime | None
    masked: bool


class TermOut(Schema):
    seq: int
    content: str
    manner: str
    due_on: date | None
    amount: str | None


class AgreementOut(Schema):
    id: int
    number: str
    mediation_id: int
    case_code: str
    form: AgreementFormValue
    status: AgreementStatusValue
    effective_at: datetime | None
    verification_code: str
    judicial_confirmation: str | None = Field(description="The confirmation's status in words, null if none.")


class AgreementDetail(AgreementOut):
    facts: str
    matters: str
    responsibilities: str
    parties: list[AgreementPartyOut]
    terms: list[TermOut]


class AgreementPage(Schema):
    items: list[AgreementOut]
    next_after: int | None


class Clock(Schema):
    label: str
    due: datetime
    state: Literal["later", "soon", "overdue", "done"]


class ApplicationOut(Schema):
    id: int
    agreement_id: int
    agreement_number: str
    case_code: str
    court: Unit
    court_reasons: list[str] = Field(description="Why this court, in the asked language.")
    status: ApplicationStatusValue
    matter_type: MatterValue
    filed_at: datetime
    late: bool
    late_reason: str
    apply_due_at: datetime
    accept_due_at: datetime
    accepted_at: datetime | None
    court_case_number: str
    not_accepted_reason: str
    decide_due_at: datetime | None
    extended_at: datetime | None
    extension_approved_by: str
    ruling_number: str
    ruling_date: date | None
    ruling_reason: str
    materials: list[str]
    clocks: list[Clock]


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    next_after: int | None


class ApplicationIn(Schema):
    agreement_id: int
    court_id: int | None = Field(None, description="The court; the suggested competent court when omitted.")
    matter_type: MatterValue | None = Field(None, description="Identity, adoption and marriage matters are refused.")
    late_acknowledged: bool = Field(False, description="Past the 30 days: the warning is acknowledged.")
    late_reason: str = Field("", max_length=2000, description="Past the 30 days: why the parties apply late.")


class AcceptIn(Schema):
    court_case_number: str = Field("", max_length=60)


class NotAcceptIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class ExtendIn(Schema):
    approved_by: str = Field(min_length=1, max_length=100, description="The president of the court who approved.")
    reason: str = Field(min_length=1, max_length=2000)


class RulingIn(Schema):
    confirmed: bool
    ruling_number: str = Field(min_length=1, max_length=60)
    ruling_date: date | None = Field(None, description="Today when omitted.")
    reason: str = Field("", max_length=2000, description="Required when the confirmation is refused.")


class PageFilter(Schema):
    after: int | None = Field(None, description="The `next_after` of the previous page.")


# --- scoping and presenting ----------------------------------------------------------------------------------


def _mediations(client: ApiClient) -> QuerySet[Mediation]:
    return Mediation.objects.filter(case__in=Case.objects.visible_to(client.user).values("pk"))


def _agreements(client: ApiClient) -> QuerySet[Agreement]:
    courts = ls.clerk_court_ids(client.user)
    q = Q(mediation__case__in=Case.objects.visible_to(client.user).values("pk"))
    if courts:
        q |= Q(confirmation_applications__court_id__in=courts)
    return Agreement.objects.filter(pk__in=Agreement.objects.filter(q).values("pk"))


def _page(qs, after: int | None):
    if after:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.order_by("-pk")[: PAGE + 1])
    return rows[:PAGE], (rows[PAGE - 1].pk if len(rows) > PAGE else None)


def _agreement_id(mediation: Mediation) -> int | None:
    try:
        return mediation.agreement.pk
    except Mediation.agreement.RelatedObjectDoesNotExist:
        return None


def mediation_out(m: Mediation) -> dict:
    return {"id": m.pk, "case_code": m.case.code, "committee": {"id": m.unit_id, "name": m.unit.name},
            "source": m.source, "status": m.status, "opened_at": m.opened_at, "due_at": m.due_at,
            "outcome": m.outcome, "concluded_at": m.concluded_at, "agreement_id": _agreement_id(m)}


def session_out(s: Session) -> dict:
    return {"id": s.pk, "seq": s.seq, "mode": s.mode, "status": s.status, "scheduled_at": s.scheduled_at,
            "held_at": s.held_at, "place": s.place}


def agreement_out(a: Agreement) -> dict:
    return {"id": a.pk, "number": a.number, "mediation_id": a.mediation_id, "case_code": a.mediation.case.code,
            "form": a.form, "status": a.status, "effective_at": a.effective_at,
            "verification_code": a.verification_code, "judicial_confirmation": ls.confirmation_status(a)}


def application_out(app: ConfirmationApplication) -> dict:
    from fengqiao.core.reasons import render

    return {
        "id": app.pk, "agreement_id": app.agreement_id, "agreement_number": app.agreement.number,
        "case_code": app.case.code, "court": {"id": app.court_id, "name": app.court.name},
        "court_reasons": [render(r) for r in app.court_reasons], "status": app.status,
        "matter_type": app.matter_type, "filed_at": app.filed_at, "late": app.late, "late_reason": app.late_reason,
        "apply_due_at": app.apply_due_at, "accept_due_at": app.accept_due_at, "accepted_at": app.accepted_at,
        "court_case_number": app.court_case_number, "not_accepted_reason": app.not_accepted_reason,
        "decide_due_at": app.decide_due_at, "extended_at": app.extended_at,
        "extension_approved_by": app.extension_approved_by, "ruling_number": app.ruling_number,
        "ruling_date": app.ruling_date, "ruling_reason": app.ruling_reason,
        "materials": [str(_(ls.MATERIAL_LABELS.get(m["item"], m["item"]))) for m in app.materials],
        "clocks": [{"label": str(c.label), "due": c.due, "state": c.state} for c in ls.application_clocks(app)],
    }


def _application(client: ApiClient, pk: int) -> ConfirmationApplication:
    app = sel.applications_visible_to(client.user).filter(pk=pk).first()
    if app is None:
        raise Http404
    return app


# --- mediations ----------------------------------------------------------------------------------------------


@router.get("/mediations", auth=READ, response={200: MediationPage, **errors()}, summary="List visible mediations",
            operation_id="mediation_list")
def mediation_list(request: HttpRequest, filters: Query[PageFilter]):
    rows, after = _page(_mediations(request.auth).select_related("case", "unit", "agreement"), filters.after)
    return {"items": [mediation_out(m) for m in rows], "next_after": after}


@router.get("/mediations/{mediation_id}", auth=READ, response={200: MediationDetail, **errors(404)},
            summary="Read a mediation with its sessions", operation_id="mediation_read")
def mediation_read(request: HttpRequest, mediation_id: int):
    # Facts and matters: phone, ID, bank card numbers and plates masked unless the key has the "pii" scope (the
    # read is then recorded on the case's timeline). A comment, not a docstring: the OpenAPI text stays as it is.
    client = request.auth
    m = _mediations(client).select_related("case", "unit").filter(pk=mediation_id).first()
    if m is None:
        raise Http404
    reveal = may_reveal(client, m.case)
    if reveal:
        cs.case_reveal_personal_data(case=m.case, actor=client.user, reason=_(
            "Mediation read through the API by %(client)s") % {"client": client.name})
    return {**mediation_out(m), "facts": text_out(m.facts, reveal=reveal), "matters": text_out(m.matters, reveal=reveal),
            "sessions": [session_out(s) for s in m.sessions.order_by("seq")]}


@router.get("/mediations/{mediation_id}/sessions", auth=READ, response={200: list[SessionOut], **errors(404)},
            summary="The sessions of a mediation", operation_id="mediation_sessions")
def mediation_sessions(request: HttpRequest, mediation_id: int):
    m = _mediations(request.auth).filter(pk=mediation_id).first()
    if m is None:
        raise Http404
    return [session_out(s) for s in m.sessions.order_by("seq")]


# --- agreements ----------------------------------------------------------------------------------------------


@router.get("/agreements", auth=READ, response={200: AgreementPage, **errors()}, summary="List visible agreements",
            operation_id="agreement_list")
def agreement_list(request: HttpRequest, filters: Query[PageFilter]):
    rows, after = _page(_agreements(request.auth).select_related("mediation__case"), filters.after)
    return {"items": [agreement_out(a) for a in rows], "next_after": after}


@router.get("/agreements/{agreement_id}", auth=READ, response={200: AgreementDetail, **errors(404)},
            summary="Read an agreement", operation_id="agreement_read")
def agreement_read(request: HttpRequest, agreement_id: int):
    """Parties' names, ID and phone numbers are masked unless the key has the "pii" scope (the read is recorded
    on the case's timeline)."""
    client = request.auth
    a = _agreements(client).select_related("mediation__case").filter(pk=agreement_id).first()
    if a is None:
        raise Http404
    case = a.mediation.case
    reveal = may_reveal(client, case)
    if reveal:
        cs.case_reveal_personal_data(case=case, actor=client.user, reason=_(
            "Agreement %(number)s read through the API by %(client)s") % {"number": a.number, "client": client.name})
    parties = [{"role": p.role, "name": p.name if reveal else mask_name(p.name), "id_type": p.id_type,
                "id_number": p.id_number if reveal else mask_id(p.id_number) if p.id_number else "",
                "phone": p.phone if reveal else mask_phone(p.phone) if p.phone else "", "signed_at": p.signed_at,
                "masked": not reveal} for p in a.parties.all()]
    terms = [{"seq": t.seq, "content": text_out(t.content, reveal=reveal), "manner": text_out(t.manner, reveal=reveal),
              "due_on": t.due_on, "amount": f"{t.amount:f}" if t.amount is not None else None} for t in a.terms.all()]
    return {**agreement_out(a), "facts": text_out(a.facts, reveal=reveal), "matters": text_out(a.matters, reveal=reveal),
            "responsibilities": text_out(a.responsibilities, reveal=reveal), "parties": parties, "terms": terms}


# --- judicial confirmation -----------------------------------------------------------------------------------


@router.get("/judicial-confirmations", auth=READ, response={200: ApplicationPage, **errors()},
            summary="List applications for judicial confirmation", operation_id="confirmation_list",
            tags=["judicial confirmation"])
def confirmation_list(request: HttpRequest, filters: Query[PageFilter]):
    """A court's key sees the applications to its court; others those on the cases they see."""
    rows, after = _page(sel.applications_visible_to(request.auth.user), filters.after)
    return {"items": [application_out(a) for a in rows], "next_after": after}


@router.get("/judicial-confirmations/{application_id}", auth=READ, response={200: ApplicationOut, **errors(404)},
            summary="Read an application for judicial confirmation", operation_id="confirmation_read",
            tags=["judicial confirmation"])
def confirmation_read(request: HttpRequest, application_id: int):
    return application_out(_application(request.auth, application_id))


def _answer(app: ConfirmationApplication, status: int = 200) -> tuple[int, dict, Case]:
    fresh = ConfirmationApplication.objects.select_related("agreement", "court", "case").get(pk=app.pk)
    return status, ApplicationOut.model_validate(application_out(fresh)).model_dump(mode="json"), fresh.case


@router.post("/judicial-confirmations", auth=WRITE, response={201: ApplicationOut, **errors(400, 404)},
             summary="File an application for judicial confirmation", operation_id="confirmation_file",
             tags=["judicial confirmation"])
def confirmation_file(request: HttpRequest, payload: ApplicationIn, idempotency_key: str = IDEMPOTENCY):
    """From an agreement in effect: the joint application with its materials, to the suggested competent court
    unless `court_id` names another court. 422: not in effect, identity/adoption/marriage matters (the rule
    quoted), past the 30 days without `late_acknowledged` and `late_reason`, a second live application."""
    client = request.auth
    agreement = _agreements(client).filter(pk=payload.agreement_id).first()
    if agreement is None:
        raise Http404
    court = None
    if payload.court_id is not None:
        court = OrgUnit.objects.filter(pk=payload.court_id).first()
        if court is None:
            raise ValidationError({"court_id": _("No such court.")})

    def file():
        app = ls.application_file(agreement=agreement, actor=client.user, court=court,
                                  matter_type=payload.matter_type, late_acknowledged=payload.late_acknowledged,
                                  late_reason=payload.late_reason)
        return _answer(app, 201)

    return respond_once(request, client, payload=payload.model_dump(mode="json"), action=file)


def _court_step(request: HttpRequest, application_id: int, payload: Schema, step):
    client = request.auth
    app = _application(client, application_id)

    def act():
        step(app, client.user)
        return _answer(app)

    return respond_once(request, client, payload=payload.model_dump(mode="json"), action=act)


@router.post("/judicial-confirmations/{application_id}/accept", auth=WRITE,
             response={200: ApplicationOut, **errors(400, 404)}, summary="The court accepts the application",
             operation_id="confirmation_accept", tags=["judicial confirmation"])
def confirmation_accept(request: HttpRequest, application_id: int, payload: AcceptIn,
                        idempotency_key: str = IDEMPOTENCY):
    """For a court's key (a clerk of the court applied to): within 3 days of filing."""
    return _court_step(request, application_id, payload, lambda app, user: ls.application_accept(
        application=app, actor=user, court_case_number=payload.court_case_number))


@router.post("/judicial-confirmations/{application_id}/not-accept", auth=WRITE,
             response={200: ApplicationOut, **errors(400, 404)}, summary="The court does not accept the application",
             operation_id="confirmation_not_accept", tags=["judicial confirmation"])
def confirmation_not_accept(request: HttpRequest, application_id: int, payload: NotAcceptIn,
                            idempotency_key: str = IDEMPOTENCY):
    return _court_step(request, application_id, payload, lambda app, user: ls.application_not_accept(
        application=app, actor=user, reason=payload.reason))


@router.post("/judicial-confirmations/{application_id}/extend", auth=WRITE,
             response={200: ApplicationOut, **errors(400, 404)}, summary="Extend the decision time by 10 days",
             operation_id="confirmation_extend", tags=["judicial confirmation"])
def confirmation_extend(request: HttpRequest, application_id: int, payload: ExtendIn,
                        idempotency_key: str = IDEMPOTENCY):
    """Once, approved by the president of the court (recorded)."""
    return _court_step(request, application_id, payload, lambda app, user: ls.application_extend(
        application=app, actor=user, approved_by=payload.approved_by, reason=payload.reason))


@router.post("/judicial-confirmations/{application_id}/ruling", auth=WRITE,
             response={200: ApplicationOut, **errors(400, 404)}, summary="Record the court's ruling",
             operation_id="confirmation_ruling", tags=["judicial confirmation"])
def confirmation_ruling(request: HttpRequest, application_id: int, payload: RulingIn,
                        idempotency_key: str = IDEMPOTENCY):
    """Confirmed (the agreement is enforceable) or refused (with the grounds). A ruling before the application
    was accepted is refused (422)."""
    return _court_step(request, application_id, payload, lambda app, user: ls.application_rule(
        application=app, actor=user, confirmed=payload.confirmed, ruling_number=payload.ruling_number,
        ruling_date=payload.ruling_date, reason=payload.reason))
