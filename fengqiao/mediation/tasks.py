"""Background work of the mediation app, enqueued by fq_scheduler (idempotent: safe to run twice)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_booking_reminders() -> dict[str, int]:
    """Remind residents of the bookings they have tomorrow (each claimed once by a conditional UPDATE)."""
    from fengqiao.mediation.bookings import booking_send_reminders

    return {"reminded": booking_send_reminders()}
