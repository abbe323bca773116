"""A resident's request to see or delete their data: asked on the portal or at a service point, answered by the
district centre's operators within the statutory clock, refused only with a reason, visible to nobody else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from fengqiao.cases.models import Case, Party
from fengqiao.cases.services import PartyInput
from fengqiao.notifications.models import Notification
from fengqiao.privacy import rules
from fengqiao.privacy.anonymise import MARKER
from fengqiao.privacy.models import DataRequest, ExportRecord

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
ID = "440311199001011234"


def _resident_case(make_case, cast, **kw):
    return make_case(applicant_user=cast.resident, description=f"楼上漏水，电话{PHONE}", parties=[
        PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone=PHONE, id_type=Party.IdType.RESIDENT_ID,
                   id_number=ID),
        PartyInput(role=Party.PartyRole.RESPONDENT, name="李四", phone="13800138000", id_number="440311198001011236",
                   id_type=Party.IdType.RESIDENT_ID)], **kw)


def _close(case):
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now() - timedelta(days=3))


def _ask(client_for, cast, kind):
    client = client_for(cast.resident)
    response = client.post("/privacy/my/", {"kind": kind, "note": "请处理"})
    assert response.status_code == 302
    return client, DataRequest.objects.filter(resident=cast.resident).latest("received_at")


def test_a_resident_asks_for_a_copy_and_the_district_centre_answers_in_time(make_case, cast, org, client_for):
    case = _resident_case(make_case, cast)
    resident, req = _ask(client_for, cast, "access")
    assert req.unit == org.district_centre and list(req.cases.all()) == [case]
    assert req.due_at == rules.request_due(req.received_at)
    assert Notification.objects.filter(recipient=cast.op_district, kind="privacy_request").exists()
    page = resident.get("/privacy/my/").content.decode()
    assert req.number in page and req.due_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in page

    # nobody else sees it: another centre's operator, the community centre, the auditor, an outsider
    for user in (cast.op_community, cast.luohu_op, cast.auditor, cast.outsider, cast.handler):
        assert client_for(user).get(f"/privacy/requests/{req.number}/").status_code in (403, 404), user
    assert client_for(cast.outsider).get("/privacy/requests/").status_code == 403
    assert resident.get(f"/privacy/my/{req.number}/copy.json").status_code == 404  # not ready yet

    operator = client_for(cast.op_district)
    assert req.number in operator.get("/privacy/requests/").content.decode()
    assert operator.post(f"/privacy/requests/{req.number}/answer/").status_code == 302
    req.refresh_from_db()
    assert req.status == "done" and req.handled_by == cast.op_district and req.handled_at

    download = resident.get(f"/privacy/my/{req.number}/copy.json")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/json")
    copy = json.loads(download.content)
    (mine,) = copy["cases"]
    assert mine["code"] == case.code and mine["your_particulars"][0]["id_number"] == ID
    assert "李四" not in download.content.decode() and "440311198001011236" not in download.content.decode()
    record = ExportRecord.objects.get(subject=req.number)
    assert record.user == cast.resident and record.what == "access_copy"


def test_deletion_anonymises_closed_cases_and_refuses_open_ones_with_the_reason(make_case, cast, client_for):
    closed = _resident_case(make_case, cast)
    _close(closed)
    still_open = _resident_case(make_case, cast)
    _resident, req = _ask(client_for, cast, "delete")
    operator = client_for(cast.op_district)
    page = operator.get(f"/privacy/requests/{req.number}/").content.decode()
    with translation.override("zh-hans"):
        assert still_open.code in page and escape(gettext(rules.OPEN_CASE)) in page
    operator.post(f"/privacy/requests/{req.number}/answer/")
    req.refresh_from_db()
    assert req.status == "partly" and req.result["anonymised"] == [closed.code]
    assert list(req.result["refused"]) == [still_open.code]
    assert Case.objects.get(pk=closed.pk).parties.get(role="applicant").name == MARKER
    assert Case.objects.get(pk=still_open.pk).parties.get(role="applicant").id_number == ID


def test_a_refusal_needs_a_reason_and_is_final(make_case, cast, client_for):
    _resident_case(make_case, cast)
    resident, req = _ask(client_for, cast, "delete")
    operator = client_for(cast.op_district)
    assert operator.post(f"/privacy/requests/{req.number}/refuse/", {"reason": ""}).status_code == 400
    operator.post(f"/privacy/requests/{req.number}/refuse/", {"reason": "案件正在法院诉讼中，依法需保留。"})
    req.refresh_from_db()
    assert req.status == "refused" and req.reason.startswith("案件正在法院")
    assert operator.post(f"/privacy/requests/{req.number}/answer/").status_code == 409
    assert "案件正在法院诉讼中" in resident.get("/privacy/my/").content.decode()


def test_the_resident_may_withdraw_an_open_request_only_their_own(make_case, cast, client_for):
    resident, req = _ask(client_for, cast, "access")
    assert client_for(cast.outsider).post(f"/privacy/my/{req.number}/withdraw/").status_code == 404
    resident.post(f"/privacy/my/{req.number}/withdraw/")
    req.refresh_from_db()
    assert req.status == "withdrawn"


def test_staff_take_in_a_request_at_a_service_point_after_checking_identity(make_case, cast, client_for):
    case = make_case(parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="赵六", phone="13700001111")])
    station = client_for(cast.station)
    data = {"kind": "access", "name": "赵六", "phone": "137 0000 1111", "note": ""}
    assert station.post("/privacy/requests/new/", data).status_code == 400  # identity not checked
    assert station.post("/privacy/requests/new/", {**data, "identity_checked": "on"}).status_code == 302
    req = DataRequest.objects.get(name="赵六")
    assert req.channel == "service_point" and req.identity_checked_by == cast.station
    assert list(req.cases.all()) == [case]
    assert client_for(cast.resident).post("/privacy/requests/new/", data).status_code == 403
    operator = client_for(cast.op_district)
    operator.post(f"/privacy/requests/{req.number}/answer/")
    download = operator.get(f"/privacy/requests/{req.number}/copy.json")
    assert download.status_code == 200 and "13700001111" in download.content.decode()
    assert ExportRecord.objects.filter(user=cast.op_district, subject=req.number).exists()


def test_the_privacy_notice_is_public_in_both_languages_with_its_versions(client):
    page = client.get("/privacy/notice/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "个人信息处理告知" in page.content.decode()
    assert client.get("/privacy/notice/1999-01/").status_code == 404


def test_the_whole_flow_writes_no_personal_data_to_the_logs(make_case, cast, client_for, caplog):
    caplog.set_level("DEBUG")
    closed = _resident_case(make_case, cast)
    _close(closed)
    resident, req = _ask(client_for, cast, "access")
    operator = client_for(cast.op_district)
    operator.post(f"/privacy/requests/{req.number}/answer/")
    resident.get(f"/privacy/my/{req.number}/copy.json")
    client_for(cast.outsider).get(f"/privacy/requests/{req.number}/")  # a refusal is logged too
    _r2, delete = _ask(client_for, cast, "delete")
    operator.post(f"/privacy/requests/{delete.number}/answer/")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PHONE, ID, "王小梅", "440311198001011236"):
        assert secret not in logged, secret


def test_open_requests_come_first_in_the_operators_list(make_case, cast, client_for):
    _r, answered = _ask(client_for, cast, "access")
    operator = client_for(cast.op_district)
    operator.post(f"/privacy/requests/{answered.number}/answer/")
    _r, waiting = _ask(client_for, cast, "delete")
    page = operator.get("/privacy/requests/").content.decode()
    table = page[page.index("<tbody>"):]
    assert table.index(waiting.number) < table.index(answered.number)


def test_the_scheduler_tells_the_operators_when_an_answer_is_due_or_late(make_case, cast, client_for):
    from fengqiao.privacy.tasks import privacy_sweep

    _r, req = _ask(client_for, cast, "access")
    assert privacy_sweep(now=req.due_at - timedelta(days=5)) == 0
    assert privacy_sweep(now=req.due_at - timedelta(days=1)) >= 1
    assert privacy_sweep(now=req.due_at - timedelta(hours=20)) == 0  # told once per stage
    assert privacy_sweep(now=req.due_at + timedelta(hours=1)) >= 1
    late = Notification.objects.filter(recipient=cast.op_district, kind="privacy_request_overdue").get()
    assert req.number in late.title and PHONE not in late.title
    client_for(cast.op_district).post(f"/privacy/requests/{req.number}/answer/")
    assert privacy_sweep(now=req.due_at + timedelta(days=3)) == 0  # answered: no more notices
