"""Background tasks of the core: the smoke task that proves the queue works end to end."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def smoke(token: str) -> dict:
    """Echo `token` with the time the worker ran it (used by /healthz tests and the CI queue check)."""
    return {"token": token, "ran_at": timezone.now().isoformat()}
