"""How cases look to a partner: plain dicts matching fengqiao.api.schemas, personal data masked by default.

Without a recorded reveal (the "pii" scope), free text — title, description, address, timeline reasons, file
names — goes out with the phone, ID, bank card numbers and plates in it masked (core.masking.mask_text)."""

from __future__ import annotations

from fengqiao.cases.models import Attachment, Case, CaseEvent, Party
from fengqiao.cases.titles import masked_title
from fengqiao.core.masking import mask_id, mask_name, mask_phone, mask_text


def text_out(value: str, *, reveal: bool = False) -> str:
    """Free text as a partner reads it: as written after a recorded reveal, else with personal data masked."""
    return value if reveal else mask_text(value)


def case_summary(case: Case) -> dict:
    """Needs region, holder_unit and category loaded (select_related) to stay at one query per page."""
    return {
        "code": case.code,
        "status": case.status,
        "service_type": case.service_type,
        "category": {"code": case.category.code, "name": case.category.name} if case.category_id else None,
        "grade": case.grade,
        "channel": case.channel,
        "title": masked_title(case.title, case.description),
        "region": {"code": case.region.code, "name": case.region.name},
        "holder_unit": {"id": case.holder_unit_id, "name": case.holder_unit.name},
        "people_count": case.people_count,
        "amount": case.amount,
        "source_system": case.source_system,
        "source_id": case.source_id,
        "outcome": case.outcome,
        "satisfaction": case.satisfaction,
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
        "due_at": case.due_at,
        "closed_at": case.closed_at,
        "version": case.version,
    }


def party_out(party: Party, *, reveal: bool) -> dict:
    personal = party.kind == Party.Kind.PERSON
    return {
        "role": party.role,
        "kind": party.kind,
        "name": party.name if (reveal or not personal) else mask_name(party.name),
        "phone": party.phone if reveal else mask_phone(party.phone) if party.phone else "",
        "id_type": party.id_type,
        "id_number": party.id_number if reveal else mask_id(party.id_number) if party.id_number else "",
        "masked": not reveal,
    }


def attachment_out(attachment: Attachment, *, reveal: bool = False) -> dict:
    return {
        "id": attachment.pk,
        "name": text_out(attachment.original_name, reveal=reveal),
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "is_public": attachment.is_public,
        "uploaded_at": attachment.uploaded_at,
    }


def event_out(event: CaseEvent, *, reveal: bool = False) -> dict:
    return {
        "seq": event.seq,
        "at": event.at,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": text_out(event.reason, reveal=reveal),
        "unit": event.actor_unit.name if event.actor_unit_id else None,
        "is_public": event.is_public,
    }


def case_detail(case: Case, *, actions: list[str], parties: list[Party] | None = None, reveal: bool = False) -> dict:
    """The whole case: its parties and free text (masked unless `reveal`), files, timeline and the actions open to
    the caller. `reveal` only after the read was recorded (cases.services.case_reveal_personal_data)."""
    return {
        **case_summary(case),
        "title": case.title if reveal else masked_title(case.title, case.description),
        "description": text_out(case.description, reveal=reveal),
        "address": text_out(case.address, reveal=reveal),
        "latitude": case.latitude,
        "longitude": case.longitude,
        "is_anonymous": case.is_anonymous,
        "parties": [party_out(p, reveal=reveal) for p in (parties if parties is not None else case.parties.all())],
        "attachments": [attachment_out(a, reveal=reveal) for a in case.attachments.all()],
        "events": [event_out(e, reveal=reveal) for e in case.events.select_related("actor_unit").order_by("seq")],
        "actions": actions,
    }
