"""Consent is recorded with the notice version shown; documents holding personal data need the export permission
and each export is recorded (who, what, when, why) and shown to the auditor."""

from __future__ import annotations

import hashlib
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.intake.tests.conftest import report_data
from fengqiao.privacy import notices
from fengqiao.privacy import services as svc
from fengqiao.privacy.models import ConsentRecord, ExportRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_portal_records_consent_with_the_notice_version_shown(client):
    form = client.get("/report/").content.decode()
    assert f'name="notice_version" value="{notices.CURRENT}"' in form and "/privacy/notice/" in form
    response = client.post("/report/", report_data(token="consent-1", notice_version=notices.CURRENT))
    assert response.status_code == 302
    case = Case.objects.latest("submitted_at")
    consent = ConsentRecord.objects.get(case=case)
    shown = notices.notice(notices.CURRENT, "zh")
    assert (consent.channel, consent.notice_version, consent.notice_language) == ("web", notices.CURRENT, "zh")
    assert consent.notice_digest == hashlib.sha256(shown.text.encode()).hexdigest()
    assert consent.processing and consent.contact and not consent.sensitive
    client.post("/report/", report_data(token="consent-1", notice_version=notices.CURRENT))  # a replay
    assert ConsentRecord.objects.filter(case=case).count() == 1


def test_english_readers_consent_to_the_english_text(client):
    client.cookies["django_language"] = "en"
    client.post("/report/", report_data(token="consent-en", notice_version=notices.CURRENT),
                HTTP_ACCEPT_LANGUAGE="en")
    consent = ConsentRecord.objects.get()
    assert consent.notice_language == "en"
    assert consent.notice_digest == notices.notice(notices.CURRENT, "en").digest


def test_a_notice_version_that_does_not_exist_saves_nothing(client):
    before = Case.objects.count()
    response = client.post("/report/", report_data(token="consent-2", notice_version="1999-01"))
    assert response.status_code == 400 and Case.objects.count() == before
    assert not ConsentRecord.objects.exists()


def test_exports_need_the_permission(cast):
    for user in (cast.op_district, cast.handler, cast.mediator, cast.court):
        svc.export_check(user)
    for user in (cast.auditor, cast.leader, cast.station, cast.admin, cast.grid, cast.resident, cast.outsider):
        with pytest.raises(PermissionDenied):
            svc.export_check(user)


def test_an_export_record_cannot_be_changed_in_the_database(cast):
    record = svc.export_record(user=cast.op_district, what="agreement", subject="GM-TEST",
                               purpose=svc.PURPOSE_AGREEMENT)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE privacy_exportrecord SET purpose = 'nothing' WHERE id = %s", [record.pk])
    assert ExportRecord.objects.get(pk=record.pk).purpose == svc.PURPOSE_AGREEMENT


def test_the_auditor_reads_the_exports_others_do_not(cast, client_for):
    svc.export_record(user=cast.op_district, what="agreement", subject="GM-TEST-AGREEMENT",
                      purpose=svc.PURPOSE_AGREEMENT)
    page = client_for(cast.auditor).get("/privacy/exports/")
    assert page.status_code == 200 and "GM-TEST-AGREEMENT" in page.content.decode()
    for user in (cast.op_district, cast.admin, cast.outsider):
        assert client_for(user).get("/privacy/exports/").status_code == 403


def test_a_booking_records_the_consent_and_needs_it(client, cast, org):
    from fengqiao.mediation.forms_portal import slot_key
    from fengqiao.mediation.models import Booking, MediatorHours, MediatorProfile

    profile = MediatorProfile.objects.get(user=cast.mediator)
    MediatorHours.objects.filter(mediator=profile).delete()
    slot = (timezone.localtime() + timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)
    MediatorHours.objects.create(mediator=profile, weekday=slot.weekday(), start=time(14), end=time(17),
                                 slot_minutes=60)
    data = {"submission_token": "tok-consent", "at": slot_key(slot), "name": "王小梅", "phone": "13800138000",
            "specialty": "", "mode": "in_person", "matter": "楼上邻居每天深夜噪音，多次沟通无果。",
            "notice_version": notices.CURRENT}
    url = f"/mediators/{profile.pk}/book/"
    assert client.post(url, data).status_code == 400 and not Booking.objects.exists()  # no consent, no booking
    response = client.post(url, {**data, "consent": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    consent = ConsentRecord.objects.get(booking=booking)
    assert consent.channel == "booking" and consent.case == booking.case and consent.notice_version == notices.CURRENT
