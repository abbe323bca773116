"""Reachability checks behind /healthz: the database and the task queue."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    """None when the database answers, else what went wrong."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return f"{type(exc).__name__}: {exc}"
    return None


def check_queue() -> str | None:
    """None when the task queue's store answers: Redis when configured, else the task table."""
    try:
        if getattr(settings, "REDIS_URL", None):
            import django_rq

            django_rq.get_connection("default").ping()
        else:
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None
