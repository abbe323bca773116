"""The plain rules: retention months, month arithmetic, the answer clock of requests, transitions, blockers."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from fengqiao.privacy import notices, rules
from fengqiao.privacy.policy import REQUEST_OUTER_LIMIT_DAYS, RETENTION_DEFAULTS

CN = ZoneInfo("Asia/Shanghai")


def test_retention_by_service_type_falls_back_to_the_kind():
    assert rules.retention_months("case", "mediation") == RETENTION_DEFAULTS[("case", "mediation")]
    assert rules.retention_months("case", "complaint") == RETENTION_DEFAULTS[("case", "")]
    assert rules.retention_months("case", "complaint", {("case", "complaint"): 6}) == 6


def test_months_end_on_the_last_day_when_the_month_is_shorter():
    assert rules.add_months(datetime(2026, 1, 31, 10, tzinfo=CN), 1) == datetime(2026, 2, 28, 10, tzinfo=CN)
    assert rules.add_months(datetime(2026, 3, 15, tzinfo=CN), -3) == datetime(2025, 12, 15, tzinfo=CN)
    assert rules.add_months(datetime(2024, 2, 29, tzinfo=CN), 12) == datetime(2025, 2, 28, tzinfo=CN)


def test_past_retention():
    closed = datetime(2023, 1, 10, tzinfo=CN)
    assert rules.is_past_retention(closed, 36, datetime(2026, 1, 10, tzinfo=CN))
    assert not rules.is_past_retention(closed, 36, datetime(2026, 1, 9, tzinfo=CN))
    assert not rules.is_past_retention(None, 36, datetime(2030, 1, 1, tzinfo=CN))


def test_requests_are_answered_within_fifteen_working_days_over_the_national_day_holiday():
    # Received on 2025-09-30: the National Day holiday (1-8 October) does not count; 28 September and 11 October
    # were make-up working days.
    received = datetime(2025, 9, 30, 10, tzinfo=CN)
    due = rules.request_due(received)
    assert due.date() == datetime(2025, 10, 28, tzinfo=CN).date()  # 9-10, 11 (make-up), 13-17, 20-24, 27-28
    assert (due - received).days <= REQUEST_OUTER_LIMIT_DAYS


def test_the_outer_limit_caps_a_long_run_of_holidays():
    received = datetime(2026, 1, 5, 10, tzinfo=CN)
    overrides = {datetime(2026, 1, d, tzinfo=CN).date(): False for d in range(6, 32)}
    due = rules.request_due(received, overrides=overrides)
    assert (due - received).days == REQUEST_OUTER_LIMIT_DAYS


def test_configuration_may_shorten_the_clock_never_lengthen_it():
    received = datetime(2026, 3, 2, 10, tzinfo=CN)
    assert rules.request_due(received, 5) < rules.request_due(received)
    assert rules.request_due(received, 40) == rules.request_due(received)


def test_transitions_and_outcomes():
    assert rules.may_move("received", "done") and rules.may_move("received", "refused")
    assert not rules.may_move("done", "refused") and not rules.may_move("withdrawn", "done")
    assert rules.delete_outcome(2, 0) == "done"
    assert rules.delete_outcome(1, 1) == "partly"
    assert rules.delete_outcome(0, 1) == "refused"


def test_blockers_name_each_reason():
    assert rules.anonymise_blockers(is_open=False, holds=[], petition_open=False, court_pending=False,
                                    already=False) == []
    found = rules.anonymise_blockers(is_open=True, holds=["法院调卷"], petition_open=True, court_pending=True,
                                     already=False)
    assert [b["msg"] for b in found] == [rules.OPEN_CASE, rules.LEGAL_HOLD, rules.PETITION_OPEN, rules.COURT_PENDING]
    assert found[1]["args"] == {"reason": "法院调卷"}


def test_the_notice_exists_in_both_languages_and_its_digest_is_of_its_text():
    for lang in notices.LANGUAGES:
        n = notices.notice(notices.CURRENT, lang)
        assert n.title and "PIPL" not in n.title
        assert n.digest == hashlib.sha256(n.text.encode()).hexdigest()
    assert notices.notice_language("zh-hans") == "zh" and notices.notice_language("en") == "en"
