"""Typed input and output of the REST API (pydantic v2 through django-ninja).

Enumerations come from the domain's own choices (cases.models, cases.workflow), so the
OpenAPI document lists exactly the values the database accepts.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import field_validator

from fengqiao.api.models import DeliveryStatus, WebhookEvent
from fengqiao.cases.models import Channel, Grade, Party, ServiceType
from fengqiao.cases.workflow import Action, Status
from fengqiao.intake.validation import (
    DESCRIPTION_PATTERN,
    MAX_PEOPLE_COUNT,
    NOT_BLANK_PATTERN,
    clean_description,
    clean_phone,
)

# Literal[tuple] is flattened by typing: Literal[("a", "b")] == Literal["a", "b"].
ServiceTypeValue = Literal[tuple(ServiceType.values)]  # type: ignore[valid-type]
StatusValue = Literal[tuple(Status.values)]  # type: ignore[valid-type]
GradeValue = Literal[tuple(Grade.values)]  # type: ignore[valid-type]
ChannelValue = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
ActionValue = Literal[tuple(Action.values)]  # type: ignore[valid-type]
PartyRoleValue = Literal[tuple(Party.PartyRole.values)]  # type: ignore[valid-type]
PartyKindValue = Literal[tuple(Party.Kind.values)]  # type: ignore[valid-type]
IdTypeValue = Literal[tuple(Party.IdType.values)]  # type: ignore[valid-type]
OutcomeValue = Literal["resolved", "partly", "not_resolved"]
SatisfactionValue = Literal["satisfied", "basically_satisfied", "dissatisfied"]
WebhookEventValue = Literal[tuple(WebhookEvent.values)]  # type: ignore[valid-type]
DeliveryStatusValue = Literal[tuple(DeliveryStatus.values)]  # type: ignore[valid-type]


MAX_ID = 2**63 - 1  # the largest row id (64-bit); a larger one is refused before it reaches the database
AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"  # CaseIn.amount: 14 digits, 2 of them decimals, not negative
CURSOR_PATTERN = r"^[0-9]{1,17}-[0-9]{1,19}$"  # fengqiao.api.casework.encode_cursor: <µs since 1970>-<id>


def _django_clean(clean, value, **kwargs):
    """Run a fengqiao.intake.validation cleaner inside pydantic (its ValidationError becomes a field error)."""
    try:
        return clean(value, **kwargs)
    except ValidationError as exc:
        raise ValueError(" ".join(str(m) for m in exc.messages)) from None


class Error(Schema):
    code: str = Field(description="Machine-readable error code, e.g. invalid, not_found, transition_not_allowed.")
    message: str = Field(description="For people: Chinese by default, English with Accept-Language: en.")
    fields: dict[str, str] = Field(default_factory=dict, description="Field name → what is wrong with it.")


# --- cases in ------------------------------------------------------------------------------------


class PartyIn(Schema):
    role: PartyRoleValue = "applicant"
    kind: PartyKindValue = "person"
    name: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK_PATTERN)
    phone: str = Field("", max_length=30, description="Mainland mobile or landline with area code.")
    id_type: IdTypeValue = ""
    id_number: str = Field("", max_length=40)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return _django_clean(clean_phone, value, required=False)


class CaseIn(Schema):
    service_type: ServiceTypeValue = Field(description="One of the five services (五大服务).")
    category: str | None = Field(None, max_length=40, description="Category code from the catalogue, e.g. C05-01.")
    title: str = Field("", max_length=120, description="Short title; the start of the description when empty.")
    description: str = Field(
        min_length=5, max_length=5000, pattern=DESCRIPTION_PATTERN,
        description="What happened: at least 5 characters other than white space (HTML tags are removed).",
        examples=["某工地拖欠30名工人两个月工资，工人多次讨要未果。"],
    )
    community_code: str | None = Field(
        None, max_length=20, description="Statistical code of the community (12 digits) or street where it happened.",
        examples=["440311001001"],
    )
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    coordinate_system: Literal["wgs84", "gcj02"] = Field(
        "wgs84", description="gcj02 for positions from Amap/Tencent maps; stored as WGS84."
    )
    address: str = Field("", max_length=200)
    people_count: int = Field(1, ge=1, le=MAX_PEOPLE_COUNT)
    amount: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2,
        description="Money involved (yuan): a string with at most two decimals, e.g. \"420000.00\", or whole yuan.",
        # What the decimal check accepts, said so that a client can check it too (pydantic's own says "any string").
        json_schema_extra={"anyOf": [{"type": "integer", "minimum": 0, "maximum": 999_999_999_999},
                                     {"type": "string", "pattern": AMOUNT_PATTERN}, {"type": "null"}]},
    )
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)
    source_id: str = Field("", max_length=64, description="Your own id: a repeat returns the case made the first time.")
    is_anonymous: bool = False
    consent_contact: bool = True

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return _django_clean(clean_description, value)


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=5000, pattern=NOT_BLANK_PATTERN)
    internal: bool = Field(True, description="Internal notes are not shown to the resident.")


class ActionIn(Schema):
    """What a lifecycle action needs; each action reads only its own fields."""

    reason: str = Field("", max_length=2000, description="Reason or note (required by reject, return, escalate …).")
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="dispatch, redispatch, assist: the unit that gets the case.")
    assisting_unit_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=20, description="dispatch: helpers.")
    outcome: OutcomeValue | None = Field(None, description="resolve")
    satisfaction: SatisfactionValue | None = Field(None, description="confirm")
    days: int | None = Field(None, ge=1, le=30, description="extension_request")
    approve: bool | None = Field(None, description="extension_decide")
    grade: GradeValue | None = Field(None, description="regrade")
    into: str | None = Field(None, max_length=24, description="merge: code of the main case.")
    assignee: str | None = Field(None, max_length=150, description="assign: username of a member of the holding unit.")
    expected_version: int | None = Field(
        None, description="The case version you read; a stale one is refused with 409 instead of overwriting."
    )


# --- cases out ------------------------------------------------------------------------------------


class CodeName(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    name: str


class PartyOut(Schema):
    role: str
    kind: str
    name: str
    phone: str
    id_type: str
    id_number: str
    masked: bool = Field(description="True when name, phone and ID number are masked (no “pii” scope).")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    is_public: bool
    uploaded_at: datetime


class EventOut(Schema):
    seq: int
    at: datetime
    action: ActionValue
    from_status: str
    to_status: str
    reason: str
    unit: str | None
    is_public: bool


class CaseSummary(Schema):
    code: str
    status: StatusValue
    service_type: ServiceTypeValue
    category: CodeName | None
    grade: GradeValue
    channel: ChannelValue
    title: str
    region: CodeName
    holder_unit: UnitRef
    people_count: int
    amount: Decimal | None
    source_system: str
    source_id: str
    outcome: str
    satisfaction: str
    submitted_at: datetime
    updated_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    version: int


class CaseDetail(CaseSummary):
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    is_anonymous: bool
    parties: list[PartyOut]
    attachments: list[AttachmentOut]
    events: list[EventOut]
    actions: list[str] = Field(description="Lifecycle actions this API key may take on the case now.")


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CaseFilters(Schema):
    status: StatusValue | None = None
    grade: GradeValue | None = None
    service_type: ServiceTypeValue | None = None
    updated_since: datetime | None = Field(None, description="Only cases changed at or after this time (ISO 8601).")
    code: str | None = Field(None, max_length=24)
    cursor: str | None = Field(
        None, max_length=40, pattern=CURSOR_PATTERN,
        description="The `next_cursor` of the previous page (opaque; a mistyped one is refused with 422).")
    limit: int = Field(50, ge=1, le=100)


# --- webhooks ----------------------------------------------------------------------------------------


class WebhookIn(Schema):
    url: str = Field(max_length=300, description="Where to POST; its host must be one the operator allowed.")
    events: list[WebhookEventValue] = Field(min_length=1, max_length=len(WebhookEvent.values))
    secret: str | None = Field(
        None, min_length=16, max_length=128, description="Signing secret; one is generated when omitted."
    )


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    is_active: bool
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="HMAC-SHA256 key of X-Fengqiao-Signature. Shown only in this answer.")


class AttemptOut(Schema):
    number: int
    at: datetime
    response_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: str = Field(description="Also sent as X-Fengqiao-Delivery.")
    event: str
    status: DeliveryStatusValue
    attempts: int
    next_attempt_at: datetime | None
    response_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    payload: dict
    attempt_log: list[AttemptOut]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: int | None = Field(description="Pass as `cursor` for older deliveries; null on the last page.")
