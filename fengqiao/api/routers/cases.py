"""/cases: take in, list, read, annotate, attach to and move cases. Thin: casework and the services do the work."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, UploadedFile

from fengqiao.api import casework, present
from fengqiao.api.auth import key_auth
from fengqiao.api.idempotent import respond_once
from fengqiao.api.models import ApiScope
from fengqiao.api.schemas import (
    ActionIn,
    AttachmentOut,
    CaseDetail,
    CaseFilters,
    CaseIn,
    CasePage,
    Error,
    EventOut,
    NoteIn,
)
from fengqiao.cases import services as cs
from fengqiao.cases.models import Attachment, Case
from fengqiao.cases.permissions import OPERATION_CAPABILITY
from fengqiao.intake.validation import NOT_BLANK_PATTERN
from fengqiao.org.access import may

router = Router(tags=["cases"])
READ = key_auth(ApiScope.CASES_READ, ApiScope.CASES)
WRITE = key_auth(ApiScope.CASES)
IDEMPOTENCY = Header(
    ..., alias="Idempotency-Key", min_length=1, max_length=100, pattern=NOT_BLANK_PATTERN,
    description="Unique per operation (e.g. a UUID), not blank. A retry with the same key and body returns the first "
                "answer.",
)


def errors(*statuses: int) -> dict:
    # 400 on every operation: text with NUL or not UTF-8 is refused before any operation (fengqiao.core.badinput).
    return dict.fromkeys((400, 401, 403, 422, *statuses), Error)


def _detail(client, case: Case) -> dict:
    fresh = Case.objects.select_related("region", "holder_unit", "category").get(pk=case.pk)
    return CaseDetail.model_validate(
        present.case_detail(fresh, actions=casework.client_actions(client, fresh))
    ).model_dump(mode="json")


@router.post("/cases", auth=WRITE, response={201: CaseDetail, 200: CaseDetail, **errors(400)},
             summary="Submit a case", operation_id="case_create")
def case_create(request: HttpRequest, payload: CaseIn, idempotency_key: str = IDEMPOTENCY):
    """Take in a demand (channel "api"). The place is `community_code`, or `latitude`/`longitude` inside the
    district (then the district centre takes it). A `source_id` sent before returns that case with 200."""
    client = request.auth

    def submit():
        case, created = casework.api_case_submit(client, payload)
        return (201 if created else 200), _detail(client, case), case

    return respond_once(request, client, payload=payload.model_dump(mode="json"), action=submit)


@router.get("/cases", auth=READ, response={200: CasePage, **errors()}, summary="List visible cases",
            operation_id="case_list")
def case_list(request: HttpRequest, filters: Query[CaseFilters]):
    """The cases this key may see, oldest change first; follow `next_cursor` until it is null.
    With `updated_since` this is a sync loop: store the last `updated_at` you saw and ask again later."""
    rows, next_cursor = casework.case_page(request.auth, filters)
    return {"items": [present.case_summary(c) for c in rows], "next_cursor": next_cursor}


@router.get("/cases/{code}", auth=READ, response={200: CaseDetail, **errors(404)}, summary="Read a case",
            operation_id="case_read")
def case_read(request: HttpRequest, code: str):
    """Parties' names, phones and ID numbers are masked unless the key has the "pii" scope; an unmasked
    read is recorded on the case's timeline (pii_reveal)."""
    client = request.auth
    case = casework.visible_case(client, code)
    parties, reveal = None, casework.may_reveal(client, case)
    if reveal:
        parties = cs.case_reveal_personal_data(
            case=case, actor=client.user, reason=_("Read through the API by %(client)s") % {"client": client.name}
        )
    return present.case_detail(case, actions=casework.client_actions(client, case), parties=parties, reveal=reveal)


@router.post("/cases/{code}/notes", auth=WRITE, response={201: EventOut, **errors(400, 404, 409)},
             summary="Add a note", operation_id="case_note")
def case_note(request: HttpRequest, code: str, payload: NoteIn, idempotency_key: str = IDEMPOTENCY):
    client = request.auth
    case = casework.visible_case(client, code)

    def note():
        cs.case_note(case=case, actor=client.user, text=payload.text, internal=payload.internal)
        event = case.events.select_related("actor_unit").order_by("-seq").first()
        return 201, EventOut.model_validate(present.event_out(event)).model_dump(mode="json"), case

    return respond_once(request, client, payload=payload.model_dump(mode="json"), action=note)


@router.post("/cases/{code}/attachments", auth=WRITE, response={201: AttachmentOut, 200: AttachmentOut,
             **errors(400, 404, 409)}, summary="Attach a file", operation_id="case_attach")
def case_attach(request: HttpRequest, code: str, file: File[UploadedFile], is_public: Form[bool] = True,
                idempotency_key: str = IDEMPOTENCY):
    """A photo, recording or PDF, checked by its content (not its name). The same file twice is kept once (200)."""
    client = request.auth
    case = casework.visible_case(client, code)
    if not may(client.user, OPERATION_CAPABILITY["case.attach"], case):
        raise PermissionDenied(_("You may not do this on this case."))
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    fingerprint = {"name": file.name, "size": file.size, "sha256": digest.hexdigest(), "is_public": is_public}

    def attach():
        existed = Attachment.objects.filter(case=case, sha256=fingerprint["sha256"]).exists()
        try:
            attachment = cs.case_attach(case=case, actor=client.user, upload=file, is_public=is_public)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        body = AttachmentOut.model_validate(present.attachment_out(attachment)).model_dump(mode="json")
        return (200 if existed else 201), body, case

    return respond_once(request, client, payload=fingerprint, action=attach)


@router.post("/cases/{code}/actions/{action}", auth=WRITE, response={200: CaseDetail, **errors(400, 404, 409)},
             summary="Take a lifecycle action", operation_id="case_act")
def case_act(request: HttpRequest, code: str, action: str, payload: ActionIn, idempotency_key: str = IDEMPOTENCY):
    """accept, reject, merge, dispatch, redispatch, return, return_refuse, sign, start, progress,
    extension_request, extension_decide, escalate, supervise, hold, resume, withdraw, resolve, confirm,
    reopen, close, assign, assist, note, regrade. 409 when the case's state does not allow it (or
    `expected_version` is stale), 403 when this key's account may not, 422 when a field is missing."""
    client = request.auth
    case = casework.visible_case(client, code)

    def act():
        casework.api_case_act(client, case, action, payload)
        return 200, _detail(client, case), case

    return respond_once(request, client, payload=payload.model_dump(mode="json"), action=act)

