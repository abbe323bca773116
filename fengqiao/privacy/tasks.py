"""Residents' requests whose answer is due soon or overdue: the answering centre's operators are told (enqueued by
fq_scheduler every round; idempotent: one notice per request and stage)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.models import Role
from fengqiao.privacy.models import DataRequest

REMIND_BEFORE = timedelta(days=2)


def privacy_sweep(now: datetime | None = None) -> int:
    """Notices written (the number and the date only: no personal data in a notice)."""
    now = now or timezone.now()
    written = 0
    due = DataRequest.objects.filter(status=DataRequest.Status.RECEIVED, due_at__lte=now + REMIND_BEFORE)
    for req in due.select_related("unit"):
        stage = "overdue" if req.due_at < now else "soon"
        date = timezone.localtime(req.due_at).strftime("%Y-%m-%d")
        title = (_("Personal-information request %(number)s is overdue (due %(date)s)") if stage == "overdue"
                 else _("Personal-information request %(number)s is due on %(date)s")) % {
            "number": req.number, "date": date}
        written += notify(unit_members([req.unit], [Role.OPERATOR]), kind=f"privacy_request_{stage}", title=title,
                          key=f"privacy_request:{req.pk}:{stage}:{date}")
    return written


@task()
def sweep_privacy_requests() -> int:
    return privacy_sweep()
