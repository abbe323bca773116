"""The rules of the psychological service, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fengqiao.counselling import rules
from fengqiao.counselling.models import RiskLevel

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def grant(user_id=7, *, expires=timedelta(days=1), revoked=None):
    return rules.GrantView(user_id=user_id, expires_at=NOW + expires, revoked_at=revoked)


@pytest.mark.parametrize(("user_id", "grants", "expected"), [
    (1, [], rules.Basis.COUNSELLOR),
    (7, [grant()], rules.Basis.GRANT),
    (7, [grant(expires=timedelta(seconds=-1))], None),  # expired
    (7, [grant(expires=timedelta(0))], None),  # ends exactly now
    (7, [grant(revoked=NOW - timedelta(hours=1))], None),  # revoked
    (8, [grant()], None),  # someone else's grant
    (None, [grant()], None),  # nobody signed in
    (7, [grant(revoked=NOW), grant()], rules.Basis.GRANT),  # a revoked grant and a live one
])
def test_read_basis(user_id, grants, expected):
    assert rules.read_basis(user_id, counsellor_id=1, grants=grants, now=NOW) == expected


@pytest.mark.parametrize(("delta", "expected"), [
    (timedelta(days=30), None),
    (timedelta(days=rules.GRANT_MAX_DAYS), None),
    (timedelta(seconds=0), "past"),
    (timedelta(days=-1), "past"),
    (timedelta(days=rules.GRANT_MAX_DAYS + 2), "too_far"),
])
def test_grant_window(delta, expected):
    assert rules.grant_window_error(NOW + delta, NOW) == expected


@pytest.mark.parametrize("level", list(RiskLevel))
def test_only_high_and_crisis_alert_the_leader(level):
    assert rules.alerts_leader(level) == (level in (RiskLevel.HIGH, RiskLevel.CRISIS))
    assert rules.needs_crisis_note(level) == rules.alerts_leader(level)
