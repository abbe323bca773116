"""The OpenAPI document: served, committed as openapi.json, and the two never drift apart."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

COMMITTED = Path(settings.BASE_DIR) / "openapi.json"
REGENERATE = "Regenerate it: ./fq manage export_openapi > openapi.json (and commit it)."


def served(**headers) -> dict:
    response = Client().get("/api/v1/openapi.json", headers=headers)
    assert response.status_code == 200
    return response.json()


def test_served_document_matches_the_committed_file():
    assert served() == json.loads(COMMITTED.read_text(encoding="utf-8")), f"openapi.json is out of date. {REGENERATE}"


def test_the_document_does_not_depend_on_the_language():
    assert served(**{"Accept-Language": "en"}) == served(**{"Accept-Language": "zh-CN"})


def test_export_command_writes_the_committed_file():
    out = StringIO()
    call_command("export_openapi", stdout=out)
    assert out.getvalue() == COMMITTED.read_text(encoding="utf-8"), REGENERATE


def test_document_describes_the_api():
    document = served()
    assert document["info"]["title"] == "Fengqiao API" and document["info"]["version"] == "1.0.0"
    assert "Idempotency-Key" in document["info"]["description"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerKey"] == {"type": "http", "scheme": "bearer"}
    assert schemes["HeaderKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    paths = document["paths"]
    assert set(paths) == {
        "/api/v1/cases", "/api/v1/cases/{code}", "/api/v1/cases/{code}/notes", "/api/v1/cases/{code}/attachments",
        "/api/v1/cases/{code}/actions/{action}", "/api/v1/webhooks", "/api/v1/webhooks/{subscription_id}",
        "/api/v1/webhooks/{subscription_id}/deliveries",
        "/api/v1/mediations", "/api/v1/mediations/{mediation_id}", "/api/v1/mediations/{mediation_id}/sessions",
        "/api/v1/agreements", "/api/v1/agreements/{agreement_id}", "/api/v1/judicial-confirmations",
        "/api/v1/judicial-confirmations/{application_id}", "/api/v1/judicial-confirmations/{application_id}/accept",
        "/api/v1/judicial-confirmations/{application_id}/not-accept",
        "/api/v1/judicial-confirmations/{application_id}/extend",
        "/api/v1/judicial-confirmations/{application_id}/ruling",
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation["security"] == [{"BearerKey": []}, {"HeaderKey": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
            if method == "post":
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
                assert names == ["Idempotency-Key"], path


def test_no_docs_page_loading_assets_from_a_cdn():
    assert Client().get("/api/v1/docs").status_code == 404
