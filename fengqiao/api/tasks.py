"""Background work of the API: the webhook round (read the timeline, then send what is due)."""

from __future__ import annotations

from django_tasks import task

from fengqiao.api.webhooks import webhooks_deliver, webhooks_produce


@task()
def deliver_webhooks() -> dict[str, int]:
    """Enqueued by fq_scheduler every round; idempotent, so overlapping rounds do no harm."""
    produced = webhooks_produce()
    return {"produced": produced, **webhooks_deliver()}
