"""How the channels record consent: one callable each, run inside the submission's transaction."""

from __future__ import annotations

from django.utils.translation import get_language

from fengqiao.privacy import notices
from fengqiao.privacy.models import ConsentRecord
from fengqiao.privacy.services import consent_record


def web_consent(cleaned: dict, user):
    """For `intake_submit(extra=…)` from the public form: the notice version the page showed, in the reader's
    language; contact when a phone was given; sensitive data when that box was ticked (or psychological help)."""
    version = cleaned.get("notice_version") or notices.CURRENT
    language = get_language()

    def record(case) -> None:
        consent_record(channel=ConsentRecord.Channel.WEB, version=version, language=language, case=case,
                       contact=case.consent_contact, sensitive=case.consent_sensitive, user=user)

    return record


def booking_consent(version: str, user, booking) -> ConsentRecord:
    return consent_record(channel=ConsentRecord.Channel.BOOKING, version=version or notices.CURRENT,
                          language=get_language(), booking=booking, case=booking.case, contact=True, user=user)
