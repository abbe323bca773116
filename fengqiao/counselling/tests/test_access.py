"""Who reads counselling records: the counsellor and those they grant — nobody else, whatever their role on the
case — and every read (page, export) and every refused attempt is in the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.counselling import services as svc
from fengqiao.counselling.models import AccessLog, Engagement, Grant, SessionRecord

SECRET = "SECRET-NOTE-42"


def _reader(name, cast, psychologist, committee_handler, engagement):
    """The user playing `name`, with whatever grant the role implies."""
    later = timezone.now() + timedelta(days=7)
    if name == "counsellor":
        return psychologist
    if name == "holder_handler":  # a handler of the unit holding the case
        return committee_handler
    if name == "holder_mediator":  # a people's mediator of the holding committee, not granted
        return cast.mediator
    if name == "granted":
        svc.grant_create(engagement=engagement, actor=psychologist, user=cast.op_street, reason="联合研判需要",
                         expires_at=later)
        return cast.op_street
    if name == "revoked":
        grant = svc.grant_create(engagement=engagement, actor=psychologist, user=cast.op_street,
                                 reason="联合研判需要", expires_at=later)
        svc.grant_revoke(grant=grant, actor=psychologist, reason="研判结束")
        return cast.op_street
    if name == "expired":
        past = timezone.now() - timedelta(days=5)
        svc.grant_create(engagement=engagement, actor=psychologist, user=cast.op_street, reason="联合研判需要",
                         expires_at=past + timedelta(days=1), at=past)
        return cast.op_street
    return {"leader": cast.leader, "auditor": cast.auditor, "operator": cast.op_community,
            "district_operator": cast.op_district, "administrator": cast.admin, "court": cast.court,
            "resident": cast.resident, "outsider": cast.outsider}[name]


ALLOWED = ["counsellor", "granted"]
REFUSED = ["holder_handler", "holder_mediator", "leader", "auditor", "operator", "district_operator", "administrator",
           "court", "resident", "outsider", "revoked", "expired"]


@pytest.mark.parametrize("name", ALLOWED + REFUSED)
def test_who_reads_the_records(name, cast, psychologist, committee_handler, engagement, client_for):
    user = _reader(name, cast, psychologist, committee_handler, engagement)
    client = client_for(user)
    page = client.get(f"/counselling/{engagement.pk}/")
    export = client.get(f"/counselling/{engagement.pk}/export.pdf")
    rows = list(AccessLog.objects.filter(user=user).order_by("id"))
    if name in ALLOWED:
        assert page.status_code == 200 and SECRET in page.content.decode()
        assert export.status_code == 200 and export["Content-Type"] == "application/pdf"
        assert [r.what for r in rows] == ["records", "export"]
        assert all(r.engagement == engagement for r in rows)
        assert (rows[0].grant is not None) == (name == "granted")
    else:
        assert page.status_code == 404 and SECRET not in page.content.decode()
        assert export.status_code == 404
        assert [r.what for r in rows] == ["denied", "denied"]


@pytest.mark.parametrize("name", REFUSED)
def test_the_case_page_says_only_that_counselling_runs(name, cast, psychologist, committee_handler, engagement,
                                                       client_for):
    user = _reader(name, cast, psychologist, committee_handler, engagement)
    response = client_for(user).get(f"/cases/{engagement.case.code}/")
    body = response.content.decode()
    assert SECRET not in body
    assert f"/counselling/{engagement.pk}/" not in body  # no link for those not granted
    if response.status_code == 200 and name not in ("resident", "outsider"):
        assert 'data-counselling="open"' in body


def test_the_case_page_links_the_granted(cast, psychologist, engagement, client_for):
    svc.grant_create(engagement=engagement, actor=psychologist, user=cast.mediator, reason="联合调解需要",
                     expires_at=timezone.now() + timedelta(days=3))
    body = client_for(cast.mediator).get(f"/cases/{engagement.case.code}/").content.decode()
    assert f"/counselling/{engagement.pk}/" in body and SECRET not in body


def test_an_engagement_that_does_not_exist_is_a_logged_404(cast, client_for, engagement):
    response = client_for(cast.leader).get(f"/counselling/{engagement.pk + 1000}/")
    assert response.status_code == 404
    row = AccessLog.objects.get(user=cast.leader)
    assert row.what == "denied" and row.engagement is None and row.engagement_ref == engagement.pk + 1000


def test_a_grantee_reads_but_does_not_write(cast, psychologist, engagement, client_for):
    svc.grant_create(engagement=engagement, actor=psychologist, user=cast.mediator, reason="联合调解需要",
                     expires_at=timezone.now() + timedelta(days=3))
    client = client_for(cast.mediator)
    response = client.post(f"/counselling/{engagement.pk}/record/", {"record-held_on": str(timezone.localdate()),
                           "record-mode": "phone", "record-duration_minutes": 30, "record-notes": "试图写入记录"})
    assert response.status_code == 403
    response = client.post(f"/counselling/{engagement.pk}/grant/", {"grant-username": "t_leader",
                           "grant-reason": "转给领导看", "grant-expires_at": "2030-01-01T00:00"})
    assert response.status_code == 403
    assert SessionRecord.objects.count() == 1 and Grant.objects.count() == 1


def test_a_stranger_writing_gets_a_logged_404(cast, engagement, client_for):
    response = client_for(cast.leader).post(f"/counselling/{engagement.pk}/risk/", {"risk-risk_level": "none"})
    assert response.status_code == 404
    assert AccessLog.objects.get(user=cast.leader).what == "denied"


def test_the_counsellor_sees_who_read(cast, psychologist, engagement, client_for):
    svc.grant_create(engagement=engagement, actor=psychologist, user=cast.mediator, reason="联合调解需要",
                     expires_at=timezone.now() + timedelta(days=3))
    client_for(cast.mediator).get(f"/counselling/{engagement.pk}/")
    client_for(cast.leader).get(f"/counselling/{engagement.pk}/")
    response = client_for(psychologist).get(f"/counselling/{engagement.pk}/log/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-what="records" data-user="t_mediator"' in body and 'data-what="denied" data-user="t_leader"' in body
    assert "联合调解需要" in body  # the purpose: the grant's reason


@pytest.mark.parametrize(("name", "status"), [("auditor", 200), ("counsellor", 200), ("leader", 404),
                                              ("holder_mediator", 404), ("administrator", 404), ("granted", 404)])
def test_the_access_log_is_for_the_counsellor_and_the_auditor(name, status, cast, psychologist, committee_handler,
                                                              engagement, client_for):
    user = _reader(name, cast, psychologist, committee_handler, engagement)
    client_for(psychologist).get(f"/counselling/{engagement.pk}/")
    response = client_for(user).get(f"/counselling/{engagement.pk}/log/")
    assert response.status_code == status
    assert SECRET not in response.content.decode()


def test_the_auditor_reads_the_log_never_the_records(cast, psychologist, engagement, client_for):
    client_for(psychologist).get(f"/counselling/{engagement.pk}/")
    client = client_for(cast.auditor)
    response = client.get("/counselling/audit/")
    body = response.content.decode()
    assert response.status_code == 200
    assert engagement.case.code in body and 'data-user="t_psychologist"' in body and SECRET not in body
    assert client_for(cast.leader).get("/counselling/audit/").status_code == 404


def test_nothing_is_in_the_admin(engagement, client_for, cast):
    from django.contrib import admin

    from fengqiao.counselling.models import SessionRecord as Record

    for model in (Engagement, Record, Grant, AccessLog):
        assert not admin.site.is_registered(model)
    root = cast.admin
    root.is_staff = root.is_superuser = True
    root.save()
    client = client_for(root)
    assert client.get(f"/admin/counselling/sessionrecord/{engagement.records.get().pk}/change/").status_code == 404
    assert client.get("/admin/counselling/engagement/").status_code == 404
