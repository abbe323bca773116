"""Background work of the agreements, enqueued by fq_scheduler (idempotent: a notice per visit and stage)."""

from __future__ import annotations

from django_tasks import task


@task()
def remind_followups() -> dict[str, int]:
    """Remind lead mediators of the follow-up visits (回访) due today or overdue."""
    from fengqiao.mediation.agreements import followup_send_reminders

    return {"reminded": followup_send_reminders()}
