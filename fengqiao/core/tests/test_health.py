"""/healthz: 200 when the database and the queue answer; 503 naming the part that does not."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from fengqiao.core import health

pytestmark = pytest.mark.django_db


class _BrokenConnection:
    """Stands in for django.db.connection when the database is down."""

    def cursor(self):
        raise OperationalError("could not connect to server: Connection refused")


def _break_queue(monkeypatch, settings):
    if settings.REDIS_URL:
        import django_rq

        class _Down:
            def ping(self):
                raise ConnectionError("Error 111 connecting to redis")

        monkeypatch.setattr(django_rq, "get_connection", lambda *args, **kwargs: _Down())
    else:
        from django_tasks_db.models import DBTaskResult

        def _down():
            raise OperationalError("no such table: django_tasks_database_dbtaskresult")

        monkeypatch.setattr(DBTaskResult.objects, "exists", _down)


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": {"ok": True}, "queue": {"ok": True}}}
    assert "no-cache" in response["Cache-Control"]


def test_database_down_is_503_naming_the_database(client, monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["queue"] == {"ok": True}


def test_queue_down_is_503_naming_the_queue(client, monkeypatch, settings):
    _break_queue(monkeypatch, settings)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["queue"]["ok"] is False
    assert body["checks"]["queue"]["error"]
    assert body["checks"]["database"] == {"ok": True}


def test_both_down_names_both(client, monkeypatch, settings):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    _break_queue(monkeypatch, settings)
    body = client.get("/healthz").json()
    assert {name for name, check in body["checks"].items() if not check["ok"]} == {"database", "queue"}


def test_healthz_needs_no_login_and_only_answers_get(client):
    assert client.get("/healthz").status_code == 200  # no redirect to the login or 2FA page
    assert client.post("/healthz").status_code == 405
