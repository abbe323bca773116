"""The petition pages: scoping (outside → 404), the moves through plain form posts, refusals, and the PDFs."""

from __future__ import annotations

from datetime import date, timedelta

import pypdfium2 as pdfium
import pytest
import time_machine

from fengqiao.petitions import services as ps
from fengqiao.petitions.models import Petition, PetitionForm
from fengqiao.petitions.rules import State

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> str:
    pdf = pdfium.PdfDocument(body)
    return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))).replace("\r", "")


@pytest.fixture
def petition(pcast, petition_case):
    return ps.petition_register(case=petition_case, actor=pcast.clerk, petitioners=list(
        petition_case.parties.filter(role="applicant")), matter=petition_case.description, form=PetitionForm.LETTER)


def test_register_from_the_case_page(pcast, petition_case, client_for):
    client = client_for(pcast.clerk)
    page = client.get(f"/cases/{petition_case.code}/")
    assert page.status_code == 200 and f"/petitions/register/{petition_case.code}/" in page.content.decode()
    form = client.get(f"/petitions/register/{petition_case.code}/")
    assert form.status_code == 200
    applicant = petition_case.parties.get(role="applicant")
    done = client.post(f"/petitions/register/{petition_case.code}/", {
        "petitioners": [applicant.pk], "matter": "要求补偿采光损失", "form": "visit", "people_count": 1,
        "registered_on": date.today().isoformat(), "office": pcast.office.pk})
    petition = Petition.objects.get(case=petition_case)
    assert done.status_code == 302 and done["Location"] == f"/petitions/{petition.number}/"
    assert list(petition.petitioners.all()) == [applicant]


def test_others_cannot_register_or_see(cast, petition_case, petition, client_for):
    for user in (cast.op_district, cast.handler, cast.outsider):
        client = client_for(user)
        assert f"/petitions/register/{petition_case.code}/" not in client.get(f"/cases/{petition_case.code}/").content.decode()
        assert client.get(f"/petitions/register/{petition_case.code}/").status_code in (403, 404)
        assert client.get(f"/petitions/{petition.number}/").status_code == 404
        assert client.get(f"/petitions/{petition.number}/pdf/accept/").status_code == 404
        assert client.post(f"/petitions/{petition.number}/act/accept/", {}).status_code == 404
    assert client_for(cast.op_district).get("/petitions/").status_code == 404


def test_list_shows_clocks_and_overdue(pcast, petition, client_for):
    with time_machine.travel(date.today() + timedelta(days=20)):
        page = client_for(pcast.clerk).get("/petitions/")
    html = page.content.decode()
    assert page.status_code == 200 and petition.number in html and 'data-overdue="1"' in html


def test_auditor_reads_but_cannot_act(cast, petition, client_for, org):
    client = client_for(cast.auditor)
    assert client.get(f"/petitions/{petition.number}/").status_code == 200
    refused = client.post(f"/petitions/{petition.number}/act/accept/", {"organ": org.housing.pk})
    assert refused.status_code == 403 and Petition.objects.get(pk=petition.pk).state == State.REGISTERED


def test_moves_through_the_page_and_the_documents(pcast, petition, client_for, org, cast):
    client = client_for(pcast.clerk)
    url = f"/petitions/{petition.number}/act/"
    assert client.post(url + "accept/", {"organ": org.housing.pk}).status_code == 302
    accept = client.get(f"/petitions/{petition.number}/pdf/accept/")
    text = pdf_text(accept.content)
    assert accept["Content-Type"] == "application/pdf"
    assert "信访事项受理告知书" in text and "光明区住房建设局" in text and "李建华" in text
    # an extension beyond 30 days, and one without the head's approval: refused, nothing written
    bad = client.post(url + "extend/", {"days": 45, "reason": "需要鉴定"})
    assert bad.status_code == 400 and "30" in bad.content.decode()
    assert Petition.objects.get(pk=petition.pk).extension_days == 0
    # a review before the reply: out of order
    assert client.post(url + "decide_review/", {"facts": "a", "opinion": "b", "basis": "c"}).status_code == 409
    reply = client.post(url + "reply/", {"facts": "经查，加装电梯已取得规划许可。", "opinion": "建议双方协商补偿。",
                                         "basis": "《深圳市既有住宅加装电梯管理规定》", "next_organ": ""})
    assert reply.status_code == 302
    text = pdf_text(client.get(f"/petitions/{petition.number}/pdf/reply/").content)
    for words in ("信访事项答复意见书", "李建华", "经查，加装电梯已取得规划许可", "建议双方协商补偿", "30日内",
                  "深圳市光明区人民政府", "光明区住房建设局"):
        assert words in text, words
    # the petitioner asks for the review themselves, with one button
    petitioner = client_for(cast.resident)
    mine = petitioner.get(f"/petitions/{petition.number}/")
    assert mine.status_code == 200 and 'data-action="request_review"' in mine.content.decode()
    assert petitioner.post(url + "request_review/", {}).status_code == 302
    assert petitioner.post(url + "decide_review/", {"facts": "a", "opinion": "b", "basis": "c"}).status_code == 403
    assert client.post(url + "decide_review/", {"facts": "复查查明事实清楚。", "opinion": "维持原答复意见。",
                                                "basis": "《信访工作条例》", "next_organ": ""}).status_code == 302
    text = pdf_text(client.get(f"/petitions/{petition.number}/pdf/review/").content)
    assert "信访事项复查意见书" in text and "维持原答复意见" in text and "深圳市人民政府" in text and "复核" in text
    # closing without the check is refused
    closing = client.post(url + "close/", {"petitioner_accepts": "on"})
    assert closing.status_code == 400 and "三到位一处理" in closing.content.decode()
    assert Petition.objects.get(pk=petition.pk).state == State.REVIEW_DECIDED


def test_not_accepted_notice(pcast, petition, client_for):
    client = client_for(pcast.clerk)
    done = client.post(f"/petitions/{petition.number}/act/not_accept/", {
        "ground": "other_route", "reason": "该事项属于民事纠纷，可向人民法院提起诉讼。"})
    assert done.status_code == 302
    text = pdf_text(client.get(f"/petitions/{petition.number}/pdf/not_accept/").content)
    assert "不予受理告知书" in text and "诉讼" in text
