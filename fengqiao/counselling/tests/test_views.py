"""The counsellor's pages: opening from the case page, consent, records, risk, grants, closing; bad input is
refused whole with the reason shown beside the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.counselling import services as svc
from fengqiao.counselling.models import AccessLog, Engagement, Grant, SessionRecord

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def counsellor_client(psychologist, client_for):
    return client_for(psychologist)


def test_open_from_the_case_page(psy_case, psychologist, counsellor_client):
    page = counsellor_client.get(f"/cases/{psy_case.code}/").content.decode()
    assert 'name="open-case_code"' in page
    response = counsellor_client.post("/counselling/open/", {"open-case_code": psy_case.code,
                                                              "next": f"/cases/{psy_case.code}/"})
    engagement = Engagement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/counselling/{engagement.pk}/"
    page = counsellor_client.get(f"/cases/{psy_case.code}/").content.decode()
    assert 'name="open-case_code"' not in page and f"/counselling/{engagement.pk}/" in page


def test_open_a_case_one_cannot_see(make_case, counsellor_client):
    from fengqiao.cases.models import ServiceType

    hidden = make_case(service_type=ServiceType.PSYCHOLOGICAL)  # held by the community centre, not the committee
    response = counsellor_client.post("/counselling/open/", {"open-case_code": hidden.code}, follow=True)
    assert response.status_code == 200 and not Engagement.objects.exists()
    assert hidden.code in response.content.decode()  # the message names the code it could not find


def test_no_record_without_consent_then_with(psy_case, psychologist, counsellor_client):
    engagement = svc.engagement_open(case=psy_case, counsellor=psychologist, actor=psychologist)
    record = {"record-held_on": timezone.localdate().isoformat(), "record-mode": "in_person",
              "record-duration_minutes": "50", "record-notes": "首次面谈，建立关系。", "record-assessment": "",
              "record-plan": ""}
    response = counsellor_client.post(f"/counselling/{engagement.pk}/record/", record)
    assert response.status_code == 400 and not SessionRecord.objects.exists()
    assert 'role="alert"' in response.content.decode()
    consent = {"consent-consent_by": "王秀兰（本人）", "consent-method": "oral",
               "consent-consent_at": timezone.localtime().strftime(LOCAL)}
    assert counsellor_client.post(f"/counselling/{engagement.pk}/consent/", consent).status_code == 302
    assert counsellor_client.post(f"/counselling/{engagement.pk}/record/", record).status_code == 302
    assert SessionRecord.objects.get().notes == "首次面谈，建立关系。"
    page = counsellor_client.get(f"/counselling/{engagement.pk}/").content.decode()
    assert "首次面谈，建立关系。" in page and 'data-record="1"' in page


def test_bad_record_shows_the_field_error(engagement, counsellor_client):
    response = counsellor_client.post(f"/counselling/{engagement.pk}/record/", {
        "record-held_on": (timezone.localdate() + timedelta(days=3)).isoformat(), "record-mode": "phone",
        "record-duration_minutes": "30", "record-notes": "未来的记录"})
    assert response.status_code == 400
    assert 'id="id_record-held_on_error"' in response.content.decode()
    assert SessionRecord.objects.count() == 1


@pytest.mark.parametrize(("username", "field_error"), [
    ("t_psychologist", "id_grant-username_error"),  # oneself
    ("t_resident", "id_grant-username_error"),  # no staff membership
    ("nobody_at_all", "id_grant-username_error"),  # no such user
])
def test_bad_grants_in_the_form(engagement, counsellor_client, username, field_error):
    until = (timezone.localtime() + timedelta(days=5)).strftime(LOCAL)
    response = counsellor_client.post(f"/counselling/{engagement.pk}/grant/", {
        "grant-username": username, "grant-reason": "需要了解情况", "grant-expires_at": until})
    assert response.status_code == 400 and field_error in response.content.decode()
    assert not Grant.objects.exists()


def test_grant_too_long_is_refused(engagement, counsellor_client):
    until = (timezone.localtime() + timedelta(days=200)).strftime(LOCAL)
    response = counsellor_client.post(f"/counselling/{engagement.pk}/grant/", {
        "grant-username": "t_mediator", "grant-reason": "需要了解情况", "grant-expires_at": until})
    assert response.status_code == 400 and "id_grant-expires_at_error" in response.content.decode()


def test_grant_then_revoke_through_the_page(engagement, cast, counsellor_client, client_for):
    until = (timezone.localtime() + timedelta(days=5)).strftime(LOCAL)
    response = counsellor_client.post(f"/counselling/{engagement.pk}/grant/", {
        "grant-username": "t_mediator", "grant-reason": "联合调解需要", "grant-expires_at": until})
    assert response.status_code == 302
    grant = Grant.objects.get()
    mediator = client_for(cast.mediator)
    assert mediator.get(f"/counselling/{engagement.pk}/").status_code == 200
    assert f"/counselling/{engagement.pk}/" in mediator.get("/counselling/").content.decode()
    refused = counsellor_client.post(f"/counselling/{engagement.pk}/grants/{grant.pk}/revoke/", {"reason": ""})
    assert refused.status_code == 400
    done = counsellor_client.post(f"/counselling/{engagement.pk}/grants/{grant.pk}/revoke/", {"reason": "调解结束"})
    assert done.status_code == 302
    assert client_for(cast.mediator).get(f"/counselling/{engagement.pk}/").status_code == 404
    assert list(AccessLog.objects.filter(user=cast.mediator).values_list("what", flat=True).order_by("id")) == [
        "records", "denied"]


def test_risk_and_close(engagement, counsellor_client, cast):
    from fengqiao.notifications.models import Notification

    bad = counsellor_client.post(f"/counselling/{engagement.pk}/risk/", {"risk-risk_level": "crisis",
                                                                         "risk-crisis_note": ""})
    assert bad.status_code == 400 and "id_risk-crisis_note_error" in bad.content.decode()
    good = counsellor_client.post(f"/counselling/{engagement.pk}/risk/", {
        "risk-risk_level": "high", "risk-crisis_note": "已联系家属陪同，预约区医院心理科。"})
    assert good.status_code == 302
    assert Notification.objects.filter(recipient=cast.leader, kind="counselling_risk").count() == 1
    closed = counsellor_client.post(f"/counselling/{engagement.pk}/close/", {"close-note": "转介医院后结案"})
    assert closed.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "closed"
    page = counsellor_client.get(f"/counselling/{engagement.pk}/").content.decode()
    assert "/record/" not in page  # a closed service takes no more records


def test_export_is_a_pdf_with_the_records(engagement, counsellor_client):
    import pypdfium2 as pdfium

    response = counsellor_client.get(f"/counselling/{engagement.pk}/export.pdf")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    pdf = pdfium.PdfDocument(response.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "SECRET-NOTE-42" in text and engagement.case.code in text
    assert AccessLog.objects.filter(what="export").count() == 1


def test_the_list(engagement, counsellor_client):
    body = counsellor_client.get("/counselling/").content.decode()
    assert f'data-engagement="{engagement.pk}"' in body and 'name="open-case_code"' in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_in_both_languages(engagement, counsellor_client, language):
    counsellor_client.cookies["django_language"] = language
    body = counsellor_client.get(f"/counselling/{engagement.pk}/").content.decode()
    if language == "en":
        assert "Session records" in body and "Who else may read" in body
    else:
        assert "会谈记录" in body and "还有谁可以查看" in body


def test_the_main_navigation_offers_it_to_those_it_concerns(engagement, cast, client_for, psychologist):
    link = 'href="/counselling/"'
    assert link in client_for(psychologist).get("/").content.decode()
    assert link in client_for(cast.auditor).get("/").content.decode()
    assert link not in client_for(cast.leader).get("/").content.decode()
    svc.grant_create(engagement=engagement, actor=psychologist, user=cast.leader, reason="危机干预需要",
                     expires_at=timezone.now() + timedelta(days=1))
    assert link in client_for(cast.leader).get("/").content.decode()


def test_the_list_keeps_to_a_query_budget(engagement, psychologist, cast, django_assert_max_num_queries):
    from django.test import Client

    from fengqiao.accounts.tests.conftest import verify

    client = Client()
    verify(client, psychologist)
    with django_assert_max_num_queries(20):
        assert client.get("/counselling/").status_code == 200
