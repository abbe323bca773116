"""POST /cases/{code}/attachments: multipart → case_attach, judged by the bytes, not the name."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.cases.models import Attachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_attach_a_photo_by_content(gm, make_case):
    case = make_case()
    # The name says nothing: the bytes are a PNG.
    response = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("现场.bin", PNG), "is_public": "false"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png" and body["name"] == "现场.bin" and body["is_public"] is False
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest() and body["size"] == len(PNG)
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.case == case and attachment.uploaded_by == gm.client.user
    assert attachment.file.name.endswith(".png") and "现场" not in attachment.file.name
    note = case.events.order_by("-seq").first()
    assert note.action == "note" and note.data == {"attachment": attachment.pk}
    detail = gm.api.get(f"/cases/{case.code}").json()
    assert [a["id"] for a in detail["attachments"]] == [attachment.pk]


def test_the_same_file_twice_is_kept_once(gm, make_case):
    case = make_case()
    first = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("a.pdf", PDF)})
    again = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("b.pdf", PDF)})  # new Idempotency-Key
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Attachment.objects.filter(case=case).count() == 1


def test_a_replayed_upload_answers_the_same(gm, make_case):
    case = make_case()
    first = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("a.pdf", PDF)}, idem="up-1")
    again = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("a.pdf", PDF)}, idem="up-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    other = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("a.pdf", PNG)}, idem="up-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_a_file_that_is_not_what_it_says_is_refused(gm, make_case):
    case = make_case()
    fake = gm.api.upload(f"/cases/{case.code}/attachments",
                         {"file": upload("photo.jpg", b"#!/bin/sh\nrm -rf /\n", "image/jpeg")})
    assert fake.status_code == 422
    assert set(fake.json()["fields"]) == {"file"} and "photo.jpg" in fake.json()["fields"]["file"]
    empty = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("empty.png", b"")})
    assert empty.status_code == 422 and "file" in empty.json()["fields"]
    missing = gm.api.upload(f"/cases/{case.code}/attachments", {"is_public": "true"})
    assert missing.status_code == 422 and "file" in missing.json()["fields"]
    assert not Attachment.objects.filter(case=case).exists() and case.events.count() == 1


def test_too_big_is_refused(gm, make_case, settings):
    settings.FQ_MAX_UPLOAD_MB = 0
    case = make_case()
    response = gm.api.upload(f"/cases/{case.code}/attachments", {"file": upload("a.png", PNG)}, lang="en")
    assert response.status_code == 422 and "too big" in response.json()["fields"]["file"]


def test_attachments_need_write_scope_and_visibility(make_partner, make_case):
    case = make_case()
    reader = make_partner(scopes=["cases:read"])
    assert reader.api.upload(f"/cases/{case.code}/attachments", {"file": upload("a.png", PNG)}).status_code == 403
    luohu = make_partner(unit="罗湖区综治中心")
    assert luohu.api.upload(f"/cases/{case.code}/attachments", {"file": upload("a.png", PNG)}).status_code == 404
    assert not Attachment.objects.exists()
