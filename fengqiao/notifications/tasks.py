from __future__ import annotations

from django_tasks import task

from fengqiao.notifications.services import outbox_deliver


@task()
def deliver_outbox() -> dict[str, int]:
    return outbox_deliver()
