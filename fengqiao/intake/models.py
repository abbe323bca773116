"""Intake bookkeeping: idempotency of submissions from every channel, and what the grid channel adds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an idempotency key; a replay gets the same answer.

    `scope` separates channels and clients (e.g. "api:7", "web", "open311:3"); `request_hash`
    catches a key reused for a different request.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class PatrolType(models.TextChoices):
    """How a grid worker or safety volunteer came upon the matter (MISSION §12)."""

    DAILY = "daily", _("Daily patrol")
    IMMEDIATE = "immediate", _("Immediate report")
    SPECIAL = "special", _("Special inspection")


class GridReport(models.Model):
    """What the grid channel knows beyond the case itself: the kind of patrol that found it."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="grid_report",
                                verbose_name=_("case"))
    patrol_type = models.CharField(_("patrol type"), max_length=12, choices=PatrolType.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid report")
        verbose_name_plural = _("grid reports")
        constraints = [
            models.CheckConstraint(condition=models.Q(patrol_type__in=PatrolType.values), name="gridreport_patrol_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.patrol_type}"
