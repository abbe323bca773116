"""Idempotency-Key on every POST: a replay returns the first answer, never a second case or action."""

from __future__ import annotations

import pytest

from fengqiao.api.tests.conftest import case_body
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.intake.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def test_same_key_twice_makes_one_case_and_the_same_answer(gm):
    first = gm.api.post("/cases", case_body(), idem="retry-1")
    second = gm.api.post("/cases", case_body(), idem="retry-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "Idempotent-Replayed" not in first and second["Idempotent-Replayed"] == "true"
    assert Case.objects.filter(channel="api").count() == 1
    record = IdempotencyRecord.objects.get(scope=f"api:{gm.client.pk}", key="retry-1")
    assert record.case.code == first.json()["code"]


def test_same_key_with_another_body_is_422(gm):
    assert gm.api.post("/cases", case_body(), idem="k-2").status_code == 201
    other = gm.api.post("/cases", case_body(title="另一件事"), idem="k-2", lang="en")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused" and "different request" in other.json()["message"]
    # The same key on another endpoint is another request too.
    code = Case.objects.get(channel="api").code
    assert gm.api.post(f"/cases/{code}/notes", {"text": "备注"}, idem="k-2").status_code == 422
    assert Case.objects.filter(channel="api").count() == 1


def test_keys_are_per_client(gm, make_partner):
    other = make_partner()
    assert gm.api.post("/cases", case_body(), idem="shared").status_code == 201
    assert other.api.post("/cases", case_body(), idem="shared").status_code == 201
    assert Case.objects.filter(channel="api").count() == 2


def test_every_post_without_a_key_is_400_before_anything_else(gm, make_case, receiver, settings):
    case = make_case()
    for path, body in [
        ("/cases", case_body()),
        ("/cases", {"nonsense": True}),  # the missing key is reported before the body
        (f"/cases/{case.code}/notes", {"text": "备注"}),
        (f"/cases/{case.code}/actions/accept", {}),
        ("/webhooks", {"url": receiver.url, "events": ["case.created"]}),
    ]:
        response = gm.api.post(path, body, idem=None, lang="en")
        assert response.status_code == 400, path
        assert response.json()["code"] == "idempotency_key_required"
        assert "Idempotency-Key" in response.json()["message"]
    upload = gm.api.upload(f"/cases/{case.code}/attachments", {"file": b""}, idem=None)
    assert upload.status_code == 400
    too_long = gm.api.post("/cases", case_body(), idem="x" * 101)
    assert too_long.status_code == 400 and too_long.json()["code"] == "idempotency_key_required"
    assert case.events.count() == 1 and not Case.objects.filter(channel="api").exists()


def test_an_action_replayed_is_done_once(gm, make_case):
    case = make_case()
    first = gm.api.post(f"/cases/{case.code}/actions/accept", {"expected_version": case.version}, idem="acc-1")
    again = gm.api.post(f"/cases/{case.code}/actions/accept", {"expected_version": case.version}, idem="acc-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    # A new key is a new request: now the state refuses it.
    assert gm.api.post(f"/cases/{case.code}/actions/accept", {}, idem="acc-2").status_code == 409


def test_a_failed_request_is_not_recorded_and_may_be_retried_with_its_key(gm):
    bad = gm.api.post("/cases", case_body(community_code="999999999999"), idem="fix-me")
    assert bad.status_code == 422
    assert not IdempotencyRecord.objects.filter(key="fix-me").exists()
    fixed = gm.api.post("/cases", case_body(), idem="fix-me")
    assert fixed.status_code == 201
