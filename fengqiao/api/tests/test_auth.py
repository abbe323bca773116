"""Keys: missing, malformed, wrong, revoked → 401; a scope the key lacks → 403; both headers work."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.api.auth import client_for_key, hash_secret, split_key
from fengqiao.api.main import api
from fengqiao.api.services import api_client_revoke, api_client_rotate_key
from fengqiao.api.tests.conftest import ApiCaller, case_body
from fengqiao.cases.models import Case

pytestmark = pytest.mark.django_db


def test_no_key_is_401_json_in_chinese_or_english(gm):
    anonymous = ApiCaller(None)
    response = anonymous.get("/cases")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "unauthorized" and body["fields"] == {}
    assert "API 密钥" in body["message"]
    english = anonymous.get("/cases", lang="en-GB,en;q=0.9")
    assert english.json()["message"].startswith("A valid API key is required")
    assert anonymous.post("/cases", case_body()).status_code == 401
    assert not Case.objects.exists() or not Case.objects.filter(channel="api").exists()


@pytest.mark.parametrize("bad", [
    "nonsense",
    "fq_",
    "fq_deadbeef_wrongsecret",
    "Basic dXNlcjpwYXNz",
])
def test_bad_keys_are_401(gm, bad):
    response = gm.api.get("/cases", key=bad)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_a_good_prefix_with_a_wrong_secret_is_401(gm):
    prefix, _secret = split_key(gm.key)
    assert gm.api.get("/cases", key=f"fq_{prefix}_not-the-secret").status_code == 401
    assert gm.api.get("/cases").status_code == 200


def test_key_in_x_api_key_header(gm):
    plain = ApiCaller(None)
    response = plain.get("/cases", **{"X-API-Key": gm.key})
    assert response.status_code == 200
    # A bad bearer does not hide a good X-API-Key, and vice versa.
    assert plain.get("/cases", key="fq_x_y", **{"X-API-Key": gm.key}).status_code == 200
    assert plain.get("/cases", **{"X-API-Key": "fq_x_y"}).status_code == 401


def test_revoked_and_rotated_keys_stop_working(gm, make_partner):
    assert gm.api.get("/cases").status_code == 200
    api_client_revoke(client=gm.client)
    assert gm.api.get("/cases").status_code == 401

    other = make_partner()
    new_key = api_client_rotate_key(client=other.client)
    assert other.api.get("/cases").status_code == 401
    assert other.api.get("/cases", key=new_key).status_code == 200


def test_inactive_service_account_is_401(gm):
    gm.client.user.is_active = False
    gm.client.user.save(update_fields=["is_active"])
    assert gm.api.get("/cases").status_code == 401


def test_missing_scope_is_403_with_a_clear_message(make_partner, make_case):
    case = make_case()
    open311 = make_partner(scopes=["open311"])
    refused = open311.api.get("/cases", lang="en")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "insufficient_scope",
        "message": "This API key does not have the scope this operation needs (cases / cases:read).",
        "fields": {},
    }
    assert open311.api.get(f"/cases/{case.code}").status_code == 403
    assert open311.api.get("/webhooks").status_code == 403

    reader = make_partner(scopes=["cases:read"])
    assert reader.api.get(f"/cases/{case.code}").status_code == 200
    for response in (
        reader.api.post("/cases", case_body()),
        reader.api.post(f"/cases/{case.code}/notes", {"text": "只读"}),
        reader.api.post(f"/cases/{case.code}/actions/accept", {}),
    ):
        assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    zh = reader.api.post("/cases", case_body())
    assert "权限范围" in zh.json()["message"]


def test_client_for_key_is_what_open311_uses(gm, make_partner):
    found = client_for_key(gm.key)
    assert found == gm.client and found.last_used_at is not None
    assert found.has_scope("cases") and found.has_scope("cases:read") and not found.has_scope("open311")
    assert client_for_key(None) is None and client_for_key("") is None
    assert client_for_key(gm.key + "x") is None
    both = make_partner(scopes=["open311", "cases"])
    assert client_for_key(both.key).has_scope("open311")
    # Only the hash of the secret is stored.
    prefix, secret = split_key(both.key)
    both.client.refresh_from_db()
    assert both.client.key_prefix == prefix and both.client.key_hash == hash_secret(secret)
    assert secret not in str(both.client.__dict__)


def test_posts_need_no_csrf_token(gm):
    strict = ApiCaller(gm.key, client=Client(enforce_csrf_checks=True))
    assert strict.post("/cases", case_body()).status_code == 201


def test_requests_are_rate_limited_per_client(gm, make_partner, monkeypatch):
    throttle = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 2)
    assert gm.api.get("/cases").status_code == 200
    assert gm.api.get("/cases").status_code == 200
    limited = gm.api.get("/cases")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert "Retry-After" in limited
    assert make_partner().api.get("/cases").status_code == 200  # another client has its own budget


def test_a_signed_in_staff_session_is_not_an_api_key(cast, client):
    from fengqiao.accounts.tests.conftest import verify

    verify(client, cast.op_district)
    response = ApiCaller(None, client=client).get("/cases")
    assert response.status_code == 401  # cookies never authenticate the API (so no CSRF exposure)


def test_a_body_that_is_not_json_is_400(gm):
    response = gm.api.http.post("/api/v1/cases", "{not json", content_type="application/json",
                                headers={"Authorization": f"Bearer {gm.key}", "Idempotency-Key": "x1"})
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
