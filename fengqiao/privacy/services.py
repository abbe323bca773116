"""The writes of personal information: consent, anonymisation after retention, residents' requests, exports.

Rules (clocks, transitions, what blocks anonymising) are in `privacy/rules.py`; the anonymiser in
`privacy/anonymise.py`. Each service validates, writes in a transaction and says what it did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases.models import Case, Party
from fengqiao.cases.workflow import TERMINAL_STATES
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import OrgUnit, Region, RegionLevel
from fengqiao.privacy import notices, rules
from fengqiao.privacy.anonymise import booking_anonymise_rows, case_anonymise
from fengqiao.privacy.models import (
    Anonymisation,
    ConsentRecord,
    DataRequest,
    ExportRecord,
    LegalHold,
    RetentionRule,
)

# --- consent -------------------------------------------------------------------------------------------------------


def consent_record(*, channel: str, version: str, language: str, case: Case | None = None, booking=None,
                   contact: bool = False, sensitive: bool = False, user=None,
                   at: datetime | None = None) -> ConsentRecord:
    """Record what the resident agreed to with the notice version they were shown (an unknown version is refused:
    a form may only claim a notice that exists)."""
    lang = notices.notice_language(language)
    try:
        shown = notices.notice(version, lang)
    except KeyError:
        raise ValidationError({"notice_version": _("This privacy notice does not exist. Reload the page and agree "
                                                   "to the notice it shows.")}) from None
    return ConsentRecord.objects.create(
        case=case, booking=booking, channel=channel, notice_version=shown.version, notice_language=lang,
        notice_digest=shown.digest, processing=True, contact=contact, sensitive=sensitive,
        user=user if getattr(user, "is_authenticated", False) else None, given_at=at or timezone.now(),
    )


# --- retention and anonymisation -----------------------------------------------------------------------------------


def retention_table() -> dict[tuple[str, str], int]:
    """The editable rules (they win over the shipped defaults in `privacy/policy.py`)."""
    return {(r.kind, r.service_type): r.months for r in RetentionRule.objects.all()}


def anonymise_blockers(case: Case) -> list[dict]:
    from fengqiao.legal.models import ConfirmationApplication
    from fengqiao.petitions.models import Petition
    from fengqiao.petitions.rules import State as PetitionState

    return rules.anonymise_blockers(
        is_open=case.status not in TERMINAL_STATES,
        holds=list(LegalHold.objects.filter(case=case, lifted_at__isnull=True).values_list("reason", flat=True)),
        petition_open=Petition.objects.filter(case=case).exclude(
            state__in=[PetitionState.CLOSED, PetitionState.NOT_ACCEPTED]).exists(),
        court_pending=ConfirmationApplication.objects.filter(
            case=case, status__in=[ConfirmationApplication.Status.FILED,
                                   ConfirmationApplication.Status.ACCEPTED]).exists(),
        already=Anonymisation.objects.filter(case=case).exists(),
    )


@dataclass
class RetentionReport:
    due: list[str] = field(default_factory=list)  # case codes past retention
    anonymised: list[str] = field(default_factory=list)
    kept: dict[str, list[dict]] = field(default_factory=dict)  # code -> blockers
    bookings: int = 0


def cases_past_retention(now: datetime):
    """Closed cases, not anonymised yet, whose retention (by service type) has ended — oldest first."""
    table = retention_table()
    candidates = (Case.objects.filter(status__in=TERMINAL_STATES, closed_at__isnull=False, anonymisation__isnull=True)
                  .order_by("closed_at"))
    for service_type in {st for st in Case.objects.values_list("service_type", flat=True).distinct()}:
        months = rules.retention_months("case", service_type, table)
        cutoff = rules.add_months(now, -months)
        yield from candidates.filter(service_type=service_type, closed_at__lte=cutoff)


def anonymise_closed(*, now: datetime | None = None, apply: bool = False, actor=None,
                     limit: int | None = None) -> RetentionReport:
    """Find (and with `apply`, anonymise) the closed cases and loose bookings past their retention."""
    from fengqiao.mediation.models import Booking

    now = now or timezone.now()
    report = RetentionReport()
    for case in cases_past_retention(now):
        if limit is not None and len(report.due) >= limit:
            break
        report.due.append(case.code)
        blockers = anonymise_blockers(case)
        if blockers:
            report.kept[case.code] = blockers
            continue
        if apply:
            case_anonymise(case=case, actor=actor, reason="retention", now=now)
            report.anonymised.append(case.code)
    months = rules.retention_months("booking", "", retention_table())
    loose = Booking.objects.filter(case__isnull=True, starts_at__lte=rules.add_months(now, -months)).exclude(
        phone="")
    report.bookings = loose.count()
    if apply:
        with transaction.atomic():
            booking_anonymise_rows(loose.select_for_update())
    return report


# --- residents' requests -------------------------------------------------------------------------------------------


def _district_centre(region: Region | None) -> OrgUnit | None:
    from fengqiao.org.selectors import centre_for_region

    node = region
    while node is not None and node.level not in (RegionLevel.DISTRICT, RegionLevel.CITY):
        node = node.parent
    return centre_for_region(node) if node is not None else None


def _phone_digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())[-11:]


def resident_cases(*, user=None, phone: str = ""):
    """The cases whose applicant is this resident: their account's cases, or those naming their phone."""
    q = Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False):
        q |= Q(applicant_user=user)
    digits = _phone_digits(phone)
    if len(digits) >= 7:
        q |= Q(parties__role=Party.PartyRole.APPLICANT, parties__phone__endswith=digits)
    return Case.objects.filter(q).distinct().order_by("submitted_at")


def _next_number(now: datetime) -> str:
    prefix = f"PI-{timezone.localtime(now).year}-"
    last = (DataRequest.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:05d}"


def data_request_create(*, kind: str, channel: str, name: str, phone: str, resident=None, actor=None,
                        note: str = "", at: datetime | None = None) -> DataRequest:
    """Take in a request. On the portal the resident is signed in; at a service point the staff member (who may
    take in demands there) checked the resident's identity document and is recorded as having done so."""
    from fengqiao.sla.services import calendar_overrides

    errors = {}
    if kind not in DataRequest.Kind.values:
        errors["kind"] = _("Choose whether you want a copy of your data or want it deleted.")
    if channel == DataRequest.Channel.SERVICE_POINT:
        if actor is None or not may(actor, Capability.CASE_INTAKE):
            raise PermissionDenied
        if len(name.strip()) < 2:
            errors["name"] = _("Write the resident's name as on their identity document.")
    elif resident is None or not resident.is_authenticated:
        raise PermissionDenied
    if len(_phone_digits(phone)) < 7 and resident is None:
        errors["phone"] = _("Give the phone number the resident used on their demands.")
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    cases = list(resident_cases(user=resident, phone=phone))
    region = cases[-1].region if cases else None
    unit = _district_centre(region) if region else None
    if unit is None:
        home = Region.objects.filter(code=settings.FQ_HOME_DISTRICT).first()
        unit = _district_centre(home)
    if unit is None:
        raise ValidationError(_("No centre can answer this request yet. Please ask at a service point."))
    working_days = getattr(settings, "FQ_PRIVACY_REQUEST_DAYS", rules.REQUEST_WORKING_DAYS)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                req = DataRequest.objects.create(
                    number=_next_number(now), kind=kind, channel=channel,
                    resident=resident if resident is not None and resident.is_authenticated else None,
                    name=name.strip()[:100], phone=phone.strip()[:20], note=note.strip()[:500],
                    identity_checked_by=actor if channel == DataRequest.Channel.SERVICE_POINT else None,
                    unit=unit, received_at=now,
                    due_at=rules.request_due(now, working_days, calendar_overrides()),
                )
                req.cases.set(cases)
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five numbering races in a row
        raise ValidationError(_("Please send the request again."))
    _tell_unit(req)
    return req


def _tell_unit(req: DataRequest) -> None:
    """The answering centre's operators get a notice in the bell (the number and the date, no personal data)."""
    from fengqiao.notifications.services import notify, unit_members
    from fengqiao.org.models import Role

    notify(unit_members([req.unit], [Role.OPERATOR]), kind="privacy_request",
           title=_("Personal-information request %(number)s") % {"number": req.number},
           body=_("Answer by %(date)s.") % {"date": timezone.localtime(req.due_at).strftime("%Y-%m-%d")},
           key=f"privacy_request:{req.pk}")


def requests_visible_to(user):
    """The requests this staff member answers: those of units in their scope, for members with PII_REQUEST."""
    scope = scope_for(user)
    units = frozenset().union(*(g.unit_ids for g in scope.grants if Capability.PII_REQUEST in g.capabilities))
    return DataRequest.objects.filter(unit_id__in=units)


def may_answer(user, req: DataRequest) -> bool:
    return requests_visible_to(user).filter(pk=req.pk).exists()


def _own_parties(req: DataRequest, case: Case) -> list[Party]:
    digits = _phone_digits(req.phone)
    out = []
    for p in case.parties.all():
        mine = (p.role == Party.PartyRole.APPLICANT
                and ((req.resident_id and case.applicant_user_id == req.resident_id)
                     or (len(digits) >= 7 and _phone_digits(p.phone) == digits)))
        if mine:
            out.append(p)
    return out


def access_copy(req: DataRequest) -> dict:
    """A copy of the resident's own personal data (PIPL art. 45): their account, their demands as they sent them
    and what the public timeline says, their own particulars on each case, bookings, consents. Other people's data
    (the other side, staff notes) is not theirs and is not included."""
    from fengqiao.cases.public import public_timeline
    from fengqiao.mediation.models import Booking

    cases = []
    for case in req.cases.select_related("region", "category").prefetch_related("parties"):
        cases.append({
            "code": case.code,
            "submitted_at": case.submitted_at.isoformat(),
            "service_type": case.get_service_type_display(),
            "category": str(case.category) if case.category else "",
            "region": case.region.name,
            "address": case.address,
            "description": case.description,
            "status": case.get_status_display(),
            "your_particulars": [{"name": p.name, "phone": p.phone, "id_type": p.get_id_type_display(),
                                  "id_number": p.id_number} for p in _own_parties(req, case)],
            "timeline": [_line(x) for x in public_timeline(case)],
            "consents": [{"notice_version": c.notice_version, "given_at": c.given_at.isoformat(),
                          "contact": c.contact, "sensitive": c.sensitive} for c in case.consents.all()],
        })
    resident = req.resident
    bookings = Booking.objects.filter(Q(resident=resident) if resident is not None else Q(pk__in=[]))
    return {
        "request": req.number,
        "made_at": timezone.now().isoformat(),
        "account": ({"username": resident.username, "name": resident.name, "phone": resident.phone}
                    if resident is not None else None),
        "cases": cases,
        "bookings": [{"code": b.code, "starts_at": b.starts_at.isoformat(), "mediator": str(b.mediator),
                      "name": b.name, "phone": b.phone, "matter": b.matter, "status": b.get_status_display()}
                     for b in bookings],
    }


def _line(entry) -> dict:
    return {"at": entry.at.isoformat() if hasattr(entry.at, "isoformat") else str(entry.at),
            "step": str(entry.label), "text": str(entry.text), "unit": str(entry.unit)}


@transaction.atomic
def data_request_answer(*, request: DataRequest, actor, at: datetime | None = None) -> DataRequest:
    """Do what was asked: make the copy, or anonymise every case that may be (the others are refused with the
    reason, so a deletion may end done, done in part, or refused)."""
    req = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not may_answer(actor, req):
        raise PermissionDenied
    if not req.is_open:
        raise ValidationError(_("This request has already been answered."))
    now = at or timezone.now()
    if req.kind == DataRequest.Kind.ACCESS:
        req.copy = json.dumps(access_copy(req), ensure_ascii=False, indent=2).encode()
        req.status, req.result = rules.DONE, {"cases": req.cases.count()}
    else:
        done, refused = [], {}
        for case in req.cases.all():
            blockers = anonymise_blockers(case)
            if blockers and not (len(blockers) == 1 and blockers[0]["msg"] == rules.ALREADY_DONE):
                refused[case.code] = blockers
            elif not blockers:
                case_anonymise(case=case, actor=actor, reason=f"request {req.number}", now=now)
                done.append(case.code)
        req.status = rules.delete_outcome(len(done), len(refused))
        req.result = {"anonymised": done, "refused": refused}
        if refused:
            req.reason = "; ".join(f"{code}: " + " ".join(_(b["msg"]) % b["args"] for b in bl)
                                   for code, bl in refused.items())
    req.handled_by, req.handled_at = actor, now
    req.save()
    return req


@transaction.atomic
def data_request_refuse(*, request: DataRequest, actor, reason: str, at: datetime | None = None) -> DataRequest:
    req = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not may_answer(actor, req):
        raise PermissionDenied
    if not rules.may_move(req.status, rules.REFUSED):
        raise ValidationError(_("This request has already been answered."))
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": _("Tell the resident why, in words they understand.")})
    req.status, req.reason = rules.REFUSED, reason.strip()
    req.handled_by, req.handled_at = actor, at or timezone.now()
    req.save()
    return req


@transaction.atomic
def data_request_withdraw(*, request: DataRequest, resident, at: datetime | None = None) -> DataRequest:
    req = DataRequest.objects.select_for_update().get(pk=request.pk)
    if req.resident_id is None or req.resident_id != getattr(resident, "pk", None):
        raise PermissionDenied
    if not rules.may_move(req.status, rules.WITHDRAWN):
        raise ValidationError(_("This request has already been answered."))
    req.status, req.handled_at = rules.WITHDRAWN, at or timezone.now()
    req.save()
    return req


# --- exports -------------------------------------------------------------------------------------------------------


# Why an export happens (stored as the English message id, translated when shown; the record names the document).
PURPOSE_OWN_COPY = gettext_noop("The resident's own copy of their data (PIPL art. 45)")
PURPOSE_HANDOVER = gettext_noop("A copy for the resident who asked at a service point")
PURPOSE_COURT_APPLICATION = gettext_noop("Judicial-confirmation application for the court")
PURPOSE_COURT_PACKAGE = gettext_noop("Materials for the court (judicial confirmation)")
PURPOSE_REFERRAL = gettext_noop("Referral to labour arbitration or litigation")
PURPOSE_AGREEMENT = gettext_noop("Mediation agreement for the parties and the file")
PURPOSE_PETITION = gettext_noop("Petition notice or opinion for the petitioner and the file")
PURPOSE_IMPORT_REPORT = gettext_noop("Import report for checking the imported rows")


def export_check(user) -> None:
    """Exporting personal data needs a role holding PII_EXPORT, else PermissionDenied. Which records the user may
    reach is the view's own scoped selector (the case, the court's inbox, the petition office): this adds the
    permission to take the data out on top of reading it (an auditor reads, but exports nothing)."""
    if not may(user, Capability.PII_EXPORT):
        raise PermissionDenied


def export_record(*, user, what: str, subject: str, purpose: str, case: Case | None = None) -> ExportRecord:
    """Record one export of personal data: who, what, when, why (append-only; the auditor reads them)."""
    record = ExportRecord.objects.create(user=user if getattr(user, "is_authenticated", False) else None,
                                         what=what[:40], subject=subject[:120], case=case, purpose=purpose[:300])
    return record


def export_document(user, *, what: str, subject: str, purpose: str, case: Case | None = None,
                    own: bool = False) -> ExportRecord:
    """The one door for a document holding personal data: staff need PII_EXPORT (PermissionDenied otherwise); a
    resident taking their own document (`own`) needs nothing more. Either way the export is recorded."""
    if not own:
        export_check(user)
    return export_record(user=user, what=what, subject=subject, purpose=purpose, case=case)
