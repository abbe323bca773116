"""The legal clocks' reminders and the pre-litigation results sent back to the court, enqueued by fq_scheduler.

Idempotent: each reminder has a notification key (a second run tells nobody twice; a moved deadline is a new
key), and a result is sent back by claiming the linkage with a conditional UPDATE.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fengqiao.legal import rules
from fengqiao.legal.linkages import pre_litigation_due_reports, pre_litigation_report
from fengqiao.legal.models import ConfirmationApplication, Linkage
from fengqiao.mediation.models import Agreement
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.models import Role

S = ConfirmationApplication.Status


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _stage(due: datetime, now: datetime) -> str:
    return "overdue" if due < now else "soon"


def legal_sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    c = rules.clocks()
    soon = now + timedelta(hours=c.remind_hours)
    counts = {"reminders": 0, "reports": 0}
    apps = ConfirmationApplication.objects.select_related("court", "case", "agreement__mediation", "filed_by")
    for app in apps.filter(status=S.FILED, accept_due_at__lte=soon):
        stage = _stage(app.accept_due_at, now)
        title = (_("Overdue: the court has not accepted or refused application %(number)s (due %(due)s)") if
                 stage == "overdue" else _("Due soon: accept or refuse application %(number)s by %(due)s")) % {
            "number": app.agreement.number, "due": _when(app.accept_due_at)}
        counts["reminders"] += notify(
            [*unit_members([app.court], [Role.COURT_CLERK]), app.filed_by, app.agreement.mediation.mediator],
            kind="legal_clock", title=title, body=app.court.name, case=app.case,
            key=f"legal:app:{app.pk}:accept:{stage}")
    for app in apps.filter(status=S.ACCEPTED, decide_due_at__lte=soon):
        assert app.decide_due_at is not None
        stage = _stage(app.decide_due_at, now)
        title = (_("Overdue: no ruling yet on application %(number)s (due %(due)s)") if stage == "overdue"
                 else _("Due soon: the ruling on application %(number)s by %(due)s")) % {
            "number": app.agreement.number, "due": _when(app.decide_due_at)}
        counts["reminders"] += notify(
            [*unit_members([app.court], [Role.COURT_CLERK]), app.filed_by, app.agreement.mediation.mediator],
            kind="legal_clock", title=title, body=app.court.name, case=app.case,
            key=f"legal:app:{app.pk}:decide:{stage}:{app.decide_due_at:%Y%m%d}")
    # Effective agreements nearing the end of their 30 days with no application: remind the lead mediator.
    window = now - timedelta(days=c.apply_days + 10)
    for agreement in (Agreement.objects.filter(status=Agreement.Status.EFFECTIVE, effective_at__gte=window,
                                               confirmation_applications__isnull=True)
                      .select_related("mediation__case", "mediation__mediator")):
        assert agreement.effective_at is not None
        due = rules.apply_due(agreement.effective_at, c)
        if now <= due <= now + timedelta(days=c.apply_remind_days):
            counts["reminders"] += notify(
                [agreement.mediation.mediator], kind="legal_clock",
                title=_("Agreement %(number)s: judicial confirmation must be applied for by %(due)s") % {
                    "number": agreement.number, "due": _when(due)},
                case=agreement.mediation.case, key=f"legal:agreement:{agreement.pk}:apply_soon")
    links = Linkage.objects.select_related("case", "to_unit")
    for link in links.filter(status=Linkage.Status.SENT, accept_due_at__lte=soon):
        stage = _stage(link.accept_due_at, now)
        counts["reminders"] += notify(
            unit_members([link.to_unit], list(rules.LINKAGE_ACTOR_ROLES)), kind="legal_clock",
            title=_("Hand-over %(code)s to accept or return by %(due)s") % {
                "code": link.case.code, "due": _when(link.accept_due_at)},
            case=link.case, key=f"legal:linkage:{link.pk}:accept:{stage}")
    for link in links.filter(status=Linkage.Status.ACCEPTED, due_at__lte=soon):
        stage = _stage(link.due_at, now)
        counts["reminders"] += notify(
            unit_members([link.to_unit], list(rules.LINKAGE_ACTOR_ROLES)), kind="legal_clock",
            title=_("Hand-over %(code)s: the outcome is due by %(due)s") % {
                "code": link.case.code, "due": _when(link.due_at)},
            case=link.case, key=f"legal:linkage:{link.pk}:due:{stage}")
    for link in pre_litigation_due_reports():
        if pre_litigation_report(linkage=link, at=now) is not None:
            counts["reports"] += 1
    return counts


@task()
def sweep_legal_clocks() -> dict[str, int]:
    return legal_sweep()
