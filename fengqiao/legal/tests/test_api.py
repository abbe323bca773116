"""The REST API for mediations, agreements and judicial confirmation: scoped through the service account, the
court's key accepts and rules, Idempotency-Key on every POST, errors in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.api.services import api_client_create
from fengqiao.api.tests.conftest import ApiCaller
from fengqiao.legal.models import ConfirmationApplication
from fengqiao.org.models import OrgUnit

pytestmark = pytest.mark.django_db
S = ConfirmationApplication.Status


def partner(name: str, unit: str, role: str, scopes=("cases",)) -> ApiCaller:
    _client, key = api_client_create(name=name, scopes=list(scopes), memberships=[(OrgUnit.objects.get(name=unit), role)])
    return ApiCaller(key)


@pytest.fixture
def committee_api(cast):
    return partner("调解委员会系统", "光明街道人民调解委员会", "mediator")


@pytest.fixture
def court_api(cast):
    return partner("光明法院审判系统", "光明区法院", "court_clerk")


def test_mediations_and_agreements_are_scoped_like_cases(agreement, committee_api, cast):
    listed = committee_api.get("/mediations")
    assert listed.status_code == 200
    ids = [m["id"] for m in listed.json()["items"]]
    assert agreement.mediation_id in ids
    one = committee_api.get(f"/mediations/{agreement.mediation_id}")
    assert one.status_code == 200 and one.json()["agreement_id"] == agreement.pk
    assert committee_api.get(f"/mediations/{agreement.mediation_id}/sessions").json() == []
    detail = committee_api.get(f"/agreements/{agreement.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["parties"][0]["name"] == "王**" and body["parties"][0]["masked"]
    assert body["terms"][0]["amount"] == "3500.00"
    luohu = partner("罗湖系统", "罗湖区综治中心", "operator")
    assert luohu.get(f"/mediations/{agreement.mediation_id}").status_code == 404
    assert luohu.get(f"/agreements/{agreement.pk}").status_code == 404
    assert luohu.get("/mediations").json()["items"] == []


def test_file_accept_and_rule_through_the_api(agreement, committee_api, court_api):
    filed = committee_api.post("/judicial-confirmations", {"agreement_id": agreement.pk}, idem="file-1")
    assert filed.status_code == 201, filed.content
    app = filed.json()
    assert app["status"] == "filed" and app["court"]["name"] == "光明区法院" and app["clocks"]
    replay = committee_api.post("/judicial-confirmations", {"agreement_id": agreement.pk}, idem="file-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert ConfirmationApplication.objects.count() == 1
    # The court's key sees it (its court), rules only after accepting.
    assert court_api.get(f"/judicial-confirmations/{app['id']}").status_code == 200
    early = court_api.post(f"/judicial-confirmations/{app['id']}/ruling",
                           {"confirmed": True, "ruling_number": "(2026)粤0311民特3号"}, lang="en")
    assert early.status_code == 422 and "accepted" in early.json()["fields"]["__all__"]
    early_zh = court_api.post(f"/judicial-confirmations/{app['id']}/ruling",
                              {"confirmed": True, "ruling_number": "(2026)粤0311民特3号"})
    assert early_zh.status_code == 422 and "受理" in early_zh.json()["fields"]["__all__"]
    accepted = court_api.post(f"/judicial-confirmations/{app['id']}/accept", {"court_case_number": "(2026)粤0311民特3号"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    ruled = court_api.post(f"/judicial-confirmations/{app['id']}/ruling",
                           {"confirmed": True, "ruling_number": "(2026)粤0311民特3号"})
    assert ruled.status_code == 200 and ruled.json()["status"] == "confirmed"
    assert "光明区法院" in committee_api.get(f"/agreements/{agreement.pk}").json()["judicial_confirmation"]


def test_the_mediators_key_cannot_rule_and_the_court_cannot_file(agreement, committee_api, court_api):
    app = committee_api.post("/judicial-confirmations", {"agreement_id": agreement.pk}).json()
    assert committee_api.post(f"/judicial-confirmations/{app['id']}/accept", {}).status_code == 403
    other = partner("另一法院", "光明区法院", "court_clerk", scopes=("cases:read",))
    assert other.post(f"/judicial-confirmations/{app['id']}/accept", {}).status_code == 403  # scope
    assert court_api.post("/judicial-confirmations", {"agreement_id": agreement.pk}).status_code in (403, 404)


def test_bad_input_through_the_api(agreement_maker, committee_api):
    divorce = agreement_maker(text="双方自愿离婚。")
    refused = committee_api.post("/judicial-confirmations", {"agreement_id": divorce.pk}, lang="en")
    assert refused.status_code == 422 and "art. 4" in refused.json()["fields"]["matter_type"]
    late = agreement_maker(effective_at=timezone.now() - timedelta(days=50))
    assert committee_api.post("/judicial-confirmations", {"agreement_id": late.pk}).status_code == 422
    ok = committee_api.post("/judicial-confirmations", {"agreement_id": late.pk, "late_acknowledged": True,
                                                        "late_reason": "当事人住院治疗"})
    assert ok.status_code == 201 and ok.json()["late"]
    second = committee_api.post("/judicial-confirmations", {"agreement_id": late.pk, "late_acknowledged": True,
                                                            "late_reason": "再次申请"})
    assert second.status_code == 422
    assert committee_api.post("/judicial-confirmations", {"agreement_id": late.pk}, idem=None).status_code == 400
    assert committee_api.post("/judicial-confirmations", {"agreement_id": 999999}).status_code == 404
