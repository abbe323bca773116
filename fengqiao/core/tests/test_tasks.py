"""The smoke task end to end: enqueued, run by the real worker, result read back."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus

from fengqiao.core.tasks import smoke

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)  # the worker manages its own transactions and connections
def test_smoke_task_runs_on_the_database_worker(settings):
    settings.TASKS = DB_TASKS  # whatever the environment says, this test is about the database backend
    token = uuid.uuid4().hex
    result = smoke.enqueue(token)
    assert result.status == TaskResultStatus.READY

    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["token"] == token
    assert result.return_value["ran_at"]
    assert len(result.worker_ids) == 1


@pytest.mark.redis
def test_smoke_task_runs_on_the_redis_worker(settings):
    """What `./fq worker` runs when REDIS_URL is set (rqworker), in burst mode."""
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    token = uuid.uuid4().hex
    result = smoke.enqueue(token)
    assert result.status == TaskResultStatus.READY

    call_command("rqworker", "default", burst=True, verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["token"] == token


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reports_the_redis_queue(client, settings):
    import django_rq

    assert django_rq.get_connection("default").ping()
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "checks": {"database": {"ok": True}, "queue": {"ok": True}}}


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_names_the_queue_when_redis_does_not_answer(client, monkeypatch):
    import django_rq
    from redis import Redis

    # a real client to a port nothing listens on (loopback, so the network guard lets it try)
    monkeypatch.setattr(django_rq, "get_connection", lambda *a, **k: Redis(host="127.0.0.1", port=1, socket_timeout=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["ok"] is False
    assert "ConnectionError" in response.json()["checks"]["queue"]["error"]
