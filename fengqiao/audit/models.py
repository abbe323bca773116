"""The anchors of the audit chains: once a day, a keyed hash over the heads of every chain that moved."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAnchor(models.Model):
    """One seal (fengqiao.audit.anchors): the heads of the case timelines that changed since the previous anchor
    (timeline lines with ids in (events_after, events_upto]), a digest of the counselling access-log rows added
    since (ids in (accesslog_after, accesslog_upto]), chained to the previous anchor and keyed with the audit key.
    Rows are only ever inserted; the database refuses UPDATE and DELETE."""

    day = models.DateField(_("day sealed"), unique=True)
    sealed_at = models.DateTimeField(_("sealed at"))
    events_after = models.BigIntegerField(default=0)
    events_upto = models.BigIntegerField(default=0)
    # [[case id, seq, chain hash], …] of each timeline whose head moved, ordered by case id
    heads = models.JSONField(default=list, blank=True)
    accesslog_after = models.BigIntegerField(default=0)
    accesslog_upto = models.BigIntegerField(default=0)
    accesslog_digest = models.CharField(max_length=64, blank=True)
    # other append-only logs sealed the same way (fengqiao.audit.anchors.SEALED_LOGS): {"app.Model": [after, upto,
    # digest]}
    logs = models.JSONField(default=dict, blank=True)
    previous = models.CharField(max_length=64, blank=True)
    seal = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.seal[:12]}"
