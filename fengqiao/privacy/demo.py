"""Demo data of personal information: consents for the demo's web and booking cases, and gm_resident's requests
(a copy made, a deletion waiting for the district centre). Idempotent: a second run adds nothing.

Call from the demo seeder after the cases and bookings: `seed_privacy(rng, now)`.
"""

from __future__ import annotations

import random
from datetime import datetime

from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Channel
from fengqiao.privacy import notices
from fengqiao.privacy.models import ConsentRecord, DataRequest
from fengqiao.privacy.services import consent_record, data_request_answer, data_request_create


def seed_privacy(rng: random.Random, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    consents = 0
    for case in Case.objects.filter(channel=Channel.WEB, consents__isnull=True).select_related("applicant_user"):
        consent_record(channel=ConsentRecord.Channel.WEB, version=notices.CURRENT,
                       language="zh" if rng.random() < 0.9 else "en", case=case, contact=case.consent_contact,
                       sensitive=case.consent_sensitive, user=case.applicant_user, at=case.submitted_at)
        consents += 1
    from fengqiao.mediation.models import Booking

    for booking in Booking.objects.filter(consents__isnull=True).select_related("case"):
        consent_record(channel=ConsentRecord.Channel.BOOKING, version=notices.CURRENT, language="zh",
                       booking=booking, case=booking.case, contact=True, user=booking.resident,
                       at=booking.created_at)
        consents += 1

    requests = 0
    resident = User.objects.filter(username="gm_resident").first()
    operator = User.objects.filter(username="gm_district_op").first()
    if resident is not None and operator is not None and not DataRequest.objects.filter(resident=resident).exists():
        copy = data_request_create(kind=DataRequest.Kind.ACCESS, channel=DataRequest.Channel.PORTAL,
                                   name=resident.name or resident.username, phone=resident.phone, resident=resident,
                                   note="想看看平台保存了我哪些信息。")
        data_request_answer(request=copy, actor=operator)
        data_request_create(kind=DataRequest.Kind.DELETE, channel=DataRequest.Channel.PORTAL,
                            name=resident.name or resident.username, phone=resident.phone, resident=resident,
                            note="已办结的诉求请删除我的个人信息。")
        requests = 2
    return {"consents": consents, "data_requests": requests}
