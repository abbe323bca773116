"""Anonymise a case's personal data in place (PIPL art. 47: after retention, or at the resident's request).

One function does it, `case_anonymise`, for the retention command and for a deletion request alike:

- names, phone numbers, identity numbers and addresses become the marker `MARKER` (or empty where a field is
  optional: a phone, an identity number); an organisation keeps its name (not personal data);
- free text (descriptions, notes, the timeline's reasons, agreements, petitions, counselling records) loses every
  phone, identity number, bank card and licence plate (`core.masking.find_personal_data`) and every name of the
  case's people; psychological records are replaced whole;
- files (photos, recordings, signed scans) are deleted; the map position is rounded to about a kilometre;
- what statistics need stays: the case code, service type, category, grade, channel, region, unit, states and
  dates, outcome and satisfaction, people and money involved, the timeline's moves.

The timeline is append-only and hash-chained (fengqiao.audit): its reasons and data are rewritten only through
the recorded redaction path (`fengqiao.audit.redaction.case_events_redact`), which appends a staff-only line
naming the lines changed and why, so `audit_verify` still finds the chain whole. Everything happens in one transaction, with an
`Anonymisation` row saying when, why and by whom.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.cases.models import Attachment, Case, CaseEvent, Party
from fengqiao.core.masking import find_personal_data
from fengqiao.dashboard import tallies

MARKER = "[已匿名]"

_find = find_personal_data  # the shared masker: every spelling of a phone, ID, bank card or plate number


def scrub_text(text: str, names: Iterable[str] = ()) -> str:
    """`text` without personal numbers or the given names (each replaced by the marker)."""
    if not text:
        return text
    out, last = [], 0
    for f in sorted(_find(text), key=lambda f: f.start):
        if f.start < last:
            continue
        out.append(text[last:f.start])
        out.append(MARKER)
        last = f.end
    out.append(text[last:])
    text = "".join(out)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2 and n.strip() != MARKER},
                       key=len, reverse=True):
        text = text.replace(name, MARKER)
    return text


def scrub_json(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_json(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: scrub_json(v, scrub) for k, v in value.items()}
    return value


def case_people_names(case: Case) -> set[str]:
    """Every name of a person on the case (parties, agreement parties, bookings, the resident's account)."""
    from fengqiao.mediation.models import AgreementParty, Booking

    names = {p.name for p in case.parties.all() if p.kind == Party.Kind.PERSON}
    names |= set(AgreementParty.objects.filter(agreement__mediation__case=case).values_list("name", flat=True))
    names |= set(Booking.objects.filter(case=case).values_list("name", flat=True))
    if case.applicant_user_id and case.applicant_user and case.applicant_user.name:
        names.add(case.applicant_user.name)
    return {n for n in names if n and n != "—"}


def _update_text_fields(queryset, fields: list[str], scrub: Callable[[str], str], *, json_fields=(),
                        whole: Iterable[str] = ()) -> int:
    """Scrub `fields` (text), `json_fields` (JSON) and replace `whole` with the marker on every row; rows changed."""
    whole = list(whole)
    changed = 0
    for obj in queryset:
        updates = []
        for f in fields:
            old = getattr(obj, f) or ""
            new = scrub(old)
            if new != old:
                setattr(obj, f, new)
                updates.append(f)
        for f in json_fields:
            old = getattr(obj, f)
            new = scrub_json(old, scrub)
            if new != old:
                setattr(obj, f, new)
                updates.append(f)
        for f in whole:
            if getattr(obj, f):
                setattr(obj, f, MARKER)
                updates.append(f)
        if updates:
            obj.save(update_fields=updates)
            changed += 1
    return changed


def _redact_events(case: Case, scrub: Callable[[str], str], actor, reason: str, now) -> int:
    """Rewrite the personal data in the timeline's reasons and data through the audit's recorded redaction path
    (fengqiao.audit.redaction: the chain stays verifiable and a staff-only line says what was redacted and why)."""
    from fengqiao.audit.redaction import case_events_redact
    from fengqiao.audit.timeline import REDACTION

    changes: dict[int, dict[str, Any]] = {}
    for e in CaseEvent.objects.filter(case=case).order_by("seq"):
        if e.data and REDACTION in e.data:
            continue  # an earlier redaction record: it holds digests, no personal data
        new_reason, new_data = scrub(e.reason or ""), scrub_json(e.data, scrub)
        fields: dict[str, Any] = {}
        if new_reason != (e.reason or ""):
            fields["reason"] = new_reason
        if new_data != e.data:
            fields["data"] = new_data
        if fields:
            changes[e.pk] = fields
    if changes:
        case_events_redact(case=case, changes=changes, why=reason, actor=actor, at=now)
    return len(changes)


def case_anonymise(*, case: Case, actor=None, reason: str, now=None) -> dict[str, int]:
    """Anonymise `case` in place; returns counts of what changed. Callers check `services.anonymise_blockers`."""
    from fengqiao.counselling.models import Engagement, SessionRecord
    from fengqiao.legal.models import ConfirmationApplication, Linkage, Referral
    from fengqiao.mediation.models import Agreement, AgreementParty, Attendee, Booking, Mediation, Session
    from fengqiao.notifications.models import Notification
    from fengqiao.petitions.models import Hearing, Opinion, Petition
    from fengqiao.privacy.models import Anonymisation
    from fengqiao.triage.models import TriageCorrection, TriageSuggestion

    now = now or timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        tallied = tallies.snapshot(case)  # respondents' names change: the big screen's counters follow
        names = case_people_names(Case.objects.select_related("applicant_user").get(pk=case.pk))

        def scrub(text: str) -> str:
            return scrub_text(text, names)

        # the case itself
        case.title = scrub(case.title) or MARKER
        case.description = scrub(case.description)
        if case.address:
            case.address = MARKER
        if case.latitude is not None and case.longitude is not None:
            case.latitude, case.longitude = round(case.latitude, 2), round(case.longitude, 2)
        case.applicant_user = None
        case.save(update_fields=["title", "description", "address", "latitude", "longitude", "applicant_user"])

        # parties: people lose name, phone and number; organisations keep their names
        counts["parties"] = 0
        for p in Party.objects.filter(case=case):
            if p.kind == Party.Kind.PERSON:
                p.name = MARKER
            p.phone, p.id_number = "", ""
            p.save(update_fields=["name", "phone", "id_number", "id_number_index"]
                   if hasattr(p, "id_number_index") else ["name", "phone", "id_number"])
            counts["parties"] += 1
        tallies.case_changed(tallied, case)

        # files
        counts["files"] = 0
        for a in Attachment.objects.filter(case=case):
            a.file.delete(save=False)
            a.delete()
            counts["files"] += 1

        counts["events"] = _redact_events(case, scrub, actor, reason, now)
        counts["suggestions"] = _update_text_fields(TriageSuggestion.objects.filter(case=case), ["note"], scrub,
                                                    json_fields=["evidence", "alternatives"])
        counts["corrections"] = _update_text_fields(TriageCorrection.objects.filter(case=case),
                                                    ["title", "body", "location"], scrub)
        counts["notifications"] = _update_text_fields(Notification.objects.filter(case=case), ["title", "body"],
                                                      scrub)

        # mediation: bookings, the mediation, sessions, agreements and their parties
        bookings = Booking.objects.filter(case=case)
        counts["bookings"] = booking_anonymise_rows(bookings, scrub)
        mediations = Mediation.objects.filter(case=case)
        _update_text_fields(mediations, ["facts", "matters", "outcome_note"], scrub)
        _update_text_fields(Session.objects.filter(mediation__case=case), ["place", "record"], scrub)
        _update_text_fields(Attendee.objects.filter(session__mediation__case=case), [], scrub, whole=["name"])
        agreements = Agreement.objects.filter(mediation__case=case)
        _update_text_fields(agreements, ["facts", "matters", "responsibilities"], scrub)
        for agreement in agreements:
            if agreement.scan:
                agreement.scan.delete(save=False)
                Agreement.objects.filter(pk=agreement.pk).update(scan="")
        for ap in AgreementParty.objects.filter(agreement__mediation__case=case):
            ap.name, ap.id_number, ap.phone = MARKER, "", ""
            ap.address = MARKER if ap.address else ""
            ap.save(update_fields=["name", "id_number", "phone", "address"])

        # legal routes and petitions
        _update_text_fields(ConfirmationApplication.objects.filter(case=case), ["late_reason"], scrub,
                            json_fields=["materials"])
        _update_text_fields(Referral.objects.filter(case=case), ["summary", "mediation_record",
                                                                 "no_agreement_statement"], scrub)
        _update_text_fields(Linkage.objects.filter(case=case), ["note"], scrub)
        _update_text_fields(Petition.objects.filter(case=case), ["matter"], scrub)
        _update_text_fields(Opinion.objects.filter(petition__case=case), ["facts", "opinion"], scrub)
        _update_text_fields(Hearing.objects.filter(petition__case=case), ["note"], scrub)

        from fengqiao.imports.models import ImportRow
        from fengqiao.mediation.models import Rating

        _update_text_fields(ImportRow.objects.filter(case=case), [], scrub, json_fields=["data"])
        _update_text_fields(Rating.objects.filter(booking__case=case), ["comment"], scrub)

        # psychological records: replaced whole (their content is the sensitive data); risk levels stay
        _update_text_fields(Engagement.objects.filter(case=case), ["crisis_note", "closing_note"], scrub,
                            whole=["consent_by"])
        counts["counselling_records"] = _update_text_fields(
            SessionRecord.objects.filter(engagement__case=case), [], scrub, whole=["notes", "assessment", "plan"])

        Anonymisation.objects.create(case=case, by=actor, reason=reason, at=now, counts=counts)
    return counts


def booking_anonymise_rows(bookings, scrub: Callable[[str], str] | None = None) -> int:
    """Bookings lose name, phone and the words of the matter (the slot, mediator and kind stay)."""
    n = 0
    for b in bookings:
        names = {b.name}
        b.name, b.phone = MARKER, ""
        b.matter = scrub_text(scrub(b.matter) if scrub else b.matter, names)
        b.resident = None
        b.save(update_fields=["name", "phone", "matter", "resident"])
        n += 1
    return n
