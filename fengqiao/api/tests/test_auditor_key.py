"""An API key whose service account is an auditor reads and changes nothing on a case: no note, no file, no move
(the same capabilities as on the case page: case.note, not case.view); the hotline's operator key still can."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.cases.models import Attachment, CaseEvent
from fengqiao.org.models import GrantRecord, Role

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (20, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_an_auditor_key_cannot_note_attach_or_move_a_case(make_partner, gm, make_case):
    case = make_case()
    auditor = make_partner("审计接口", role=Role.AUDITOR)
    assert auditor.api.get(f"/cases/{case.code}").status_code == 200  # it reads …
    events = CaseEvent.objects.filter(case=case).count()
    assert auditor.api.post(f"/cases/{case.code}/notes", {"text": "审计备注", "internal": True}).status_code == 403
    assert auditor.api.upload(f"/cases/{case.code}/attachments", {"file": _png()}).status_code == 403
    assert auditor.api.post(f"/cases/{case.code}/actions/accept", {}).status_code in (403, 404)
    assert CaseEvent.objects.filter(case=case).count() == events  # … and changes nothing
    assert not Attachment.objects.filter(case=case).exists()
    assert gm.api.post(f"/cases/{case.code}/notes", {"text": "热线备注", "internal": True}).status_code == 201
    assert gm.api.upload(f"/cases/{case.code}/attachments", {"file": _png()}).status_code == 201


def test_a_service_account_role_is_recorded_as_set_up_by_the_key_command(make_partner):
    partner = make_partner("记录接口")
    row = GrantRecord.objects.get(subject=partner.client.user)
    assert (row.event, row.actor, row.role, row.basis) == ("seeded", None, Role.OPERATOR, "API client: 记录接口")
