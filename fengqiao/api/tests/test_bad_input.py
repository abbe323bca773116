"""Bad input to the REST API: the error schema, in the reader's language, never a 500 and never stored garbled.

Before: a JSON string with NUL was stored (PostgreSQL refused it: 500), invalid UTF-8 and lone surrogates were
stored replaced or failed in the database, `updated_since` at the ends of the calendar was a 500, and the
document allowed a blank Idempotency-Key, an empty description and any cursor that the code then refused.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.api.tests.conftest import case_body
from fengqiao.cases.models import Case

pytestmark = pytest.mark.django_db

NUL_EN = "The text contains the NUL character (U+0000), which no text may hold. Remove it and send again."
UTF8_EN = "The text is not valid UTF-8 (some bytes are not characters). Send it encoded as UTF-8."


def post_raw(partner, path: str, body: bytes, *, lang="en", content_type="application/json"):
    return partner.api.http.post(f"/api/v1{path}", body, content_type=content_type, headers={
        "Authorization": f"Bearer {partner.key}", "Idempotency-Key": str(uuid.uuid4()), "Accept-Language": lang})


@pytest.mark.parametrize("field,value", [
    ("description", "工地拖欠工资\u0000两个月"),
    ("title", "\u0000"),
    ("address", "光明大街\u00001号"),
])
def test_a_nul_character_in_json_is_refused_with_the_error_schema(gm, categories, field, value):
    response = gm.api.post("/cases", case_body(**{field: value}), lang="en")
    assert response.status_code == 400, response.content
    assert response.json() == {"code": "invalid_text", "message": "Please correct the fields listed.",
                               "fields": {field: NUL_EN}}
    assert not Case.objects.exists()


def test_a_nul_inside_a_party_names_the_nested_field(gm, categories):
    body = case_body()
    body["parties"][0]["name"] = "王\u0000小梅"
    response = gm.api.post("/cases", body, lang="en")
    assert response.status_code == 400
    assert response.json()["fields"] == {"parties.0.name": NUL_EN}


def test_invalid_utf8_in_a_json_body_is_refused(gm, categories):
    raw = json.dumps(case_body(), ensure_ascii=False).encode().replace("两个月".encode(), b"\xff\xfe")
    response = post_raw(gm, "/cases", raw)
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_text", "message": UTF8_EN, "fields": {}}
    assert not Case.objects.exists()


def test_a_lone_surrogate_in_json_is_refused(gm, categories):
    raw = json.dumps(case_body()).replace("\\u4e24", "\\ud800").encode()  # 两 → an unpaired surrogate
    response = post_raw(gm, "/cases", raw)
    assert response.status_code == 400
    assert response.json()["fields"] == {"description": UTF8_EN}
    assert not Case.objects.exists()


def test_the_refusal_is_in_chinese_by_default(gm, categories):
    response = gm.api.post("/cases", case_body(description="工地拖欠工资\u0000两个月"))
    assert response.status_code == 400 and response["Content-Language"] == "zh-hans"
    assert response.json()["message"] == "请更正所列字段。"
    assert "U+0000" in response.json()["fields"]["description"] and "删除" in response.json()["fields"]["description"]


def test_nul_and_invalid_utf8_in_the_query_are_refused(gm):
    nul = gm.api.get("/cases", {"code": "GM\u0000"}, lang="en")
    assert nul.status_code == 400 and nul.json()["fields"] == {"code": NUL_EN}
    bad = gm.api.http.get("/api/v1/cases?code=GM%FF", headers={"Authorization": f"Bearer {gm.key}",
                                                                 "Accept-Language": "en"})
    assert bad.status_code == 400 and bad.json()["fields"] == {"code": UTF8_EN}


def test_a_nul_in_the_path_is_refused(gm):
    response = gm.api.get("/cases/GM-2026%00", lang="en")
    assert response.status_code == 400 and response.json()["code"] == "invalid_text"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_attachment_post_without_a_file_is_a_422_naming_the_field(gm, make_case, media):
    case = make_case()
    response = gm.api.upload(f"/cases/{case.code}/attachments", {"is_public": "true"}, lang="en")
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "Please correct the fields listed.",
                               "fields": {"file": "This field is required."}}


def test_a_multipart_body_that_cannot_be_read_is_a_400_in_the_error_schema(gm, make_case, media):
    case = make_case()
    response = post_raw(gm, f"/cases/{case.code}/attachments", b"no boundary", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_text" and "could not be read" in response.json()["message"]
    assert not case.attachments.exists()
    # Django itself drops characters that cannot be printed from a file's name; the rest of the name is kept.
    named = gm.api.upload(f"/cases/{case.code}/attachments",
                          {"file": SimpleUploadedFile("现场\u0000.pdf", b"%PDF-1.4\n%%EOF\n")}, lang="en")
    assert named.status_code == 201 and named.json()["name"] == "现场.pdf"


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_updated_since_at_the_ends_of_the_calendar_is_not_a_server_error(gm, make_case, since):
    case = make_case()
    response = gm.api.get("/cases", {"updated_since": since})
    assert response.status_code == 200
    codes = [item["code"] for item in response.json()["items"]]
    assert codes == ([case.code] if since.startswith("0001") else [])


def test_a_blank_idempotency_key_is_what_the_document_refuses(gm, make_case):
    case = make_case()
    response = gm.api.post(f"/cases/{case.code}/notes", {"text": "已电话联系申请人"}, idem="   ", lang="en")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"
    document = gm.api.get("/openapi.json").json()
    [header] = [p for p in document["paths"]["/api/v1/cases/{code}/notes"]["post"]["parameters"]
                if p["in"] == "header"]
    assert header["schema"]["minLength"] == 1 and header["schema"]["pattern"]


def test_an_empty_description_is_what_the_document_refuses(gm, categories):
    document = gm.api.get("/openapi.json").json()
    rule = document["components"]["schemas"]["CaseIn"]["properties"]["description"]
    assert rule["minLength"] == 5 and rule["pattern"]
    for description in ("", "    ", "\t\n\u3000  ", "<b></b>"):
        response = gm.api.post("/cases", case_body(description=description), lang="en")
        assert response.status_code == 422, description
        assert response.json()["fields"]["description"].startswith(("Please describe", "At least 5"))


def test_a_cursor_is_checked_by_the_documented_pattern_and_every_match_is_read(gm, make_case):
    for _ in range(3):
        make_case()
    first = gm.api.get("/cases", {"limit": 2}).json()
    assert first["next_cursor"] and first["next_cursor"].replace("-", "").isdigit()
    second = gm.api.get("/cases", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1
    bad = gm.api.get("/cases", {"cursor": "not-a-cursor"}, lang="en")
    assert bad.status_code == 422
    assert bad.json()["fields"] == {"cursor": "This cursor is not valid; start again without it."}
    # Anything the pattern allows is a position, even far off the end of time and past the largest id.
    far = gm.api.get("/cases", {"cursor": "99999999999999999-9999999999999999999"})
    assert far.status_code == 200 and far.json()["items"] == []
