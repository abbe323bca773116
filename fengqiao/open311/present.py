"""A case as a GeoReport service request: the specification's fields, never personal data.

- status: "open" while the case is in an open state (fengqiao.cases.workflow.OPEN_STATES), else "closed";
  status_notes says our own state in words.
- description: the resident's text with phone, ID, bank card numbers and licence plates (every spelling:
  full-width, dotted, spaced — core.masking.mask_text, public form: phones keep no trailing digits, since the
  last four with the case code track a case) and the names of the case's parties masked.
- address, lat, long: for a public GET the region (district street community) and the position rounded
  to three decimals (about 100 m); with a valid api_key the address given and the exact position.
- expected_datetime: the deadline of the current step (Case.due_at).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.cases.models import Case, ServiceType
from fengqiao.cases.workflow import OPEN_STATES, Status
from fengqiao.core.masking import mask_name, mask_text

OUTCOMES = {"resolved": gettext_lazy("resolved"), "partly": gettext_lazy("partly resolved"),
            "not_resolved": gettext_lazy("not resolved")}


def w3(value: datetime | None) -> str | None:
    """W3C datetime with the offset, e.g. 2026-11-18T09:15:33+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def scrub(text: str, names: list[str]) -> str:
    """Mask what identifies a person: phone, ID, bank card numbers, plates, and the names the case knows."""
    text = mask_text(text, public=True)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN_STATES else "closed"


def status_notes(case: Case) -> str:
    note = str(Status(case.status).label)
    if case.outcome in OUTCOMES and case.status in (Status.RESOLVED, Status.CONFIRMED, Status.CLOSED):
        note = f"{note}: {OUTCOMES[case.outcome]}"
    return note


def service_notice(case: Case) -> str:
    if case.status not in OPEN_STATES:
        return ""
    if case.due_at:
        return _("%(unit)s holds this request; the next step is due by %(due)s.") % {
            "unit": case.holder_unit.name, "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")}
    return _("%(unit)s holds this request.") % {"unit": case.holder_unit.name}


def region_path(case: Case) -> str:
    names, node = [], case.region
    while node is not None and node.level != "city":
        names.append(node.name)
        node = None if node.level == "district" else node.parent  # districts are the top we show
    return " ".join(reversed(names))


def request_out(case: Case, *, detailed: bool) -> dict:
    """Needs region (with parents), holder_unit, category, open311 and parties loaded to stay cheap per case."""
    party_names = [p.name for p in case.parties.all()]
    submission = getattr(case, "open311", None)
    lat, lng = case.latitude, case.longitude
    if not detailed and lat is not None and lng is not None:
        lat, lng = round(lat, 3), round(lng, 3)
    category = case.category
    return {
        "service_request_id": case.code,
        "status": open_or_closed(case.status),
        "status_notes": status_notes(case),
        "service_name": category.name if category else str(ServiceType(case.service_type).label),
        "service_code": category.code if category else "",
        "description": scrub(case.description, party_names),
        "agency_responsible": case.holder_unit.name,
        "service_notice": service_notice(case),
        "requested_datetime": w3(case.submitted_at),
        "updated_datetime": w3(case.updated_at),
        "expected_datetime": w3(case.due_at),
        "address": (scrub(case.address, party_names) if detailed and case.address else region_path(case)),
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": submission.media_url if submission is not None and submission.media_url else None,
    }
