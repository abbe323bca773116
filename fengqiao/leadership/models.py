"""Leaders owning cases (领导包案) and their sink-down duty at service points (下沉接访). Rules: `leadership/rules.py`;
writes: `leadership/services.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Ownership(models.Model):
    """A leader takes a major or old case: it is on their home page with its deadlines until they release it or the
    case is closed. One leader owns a case at a time."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="ownerships")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT,
                               related_name="owned_cases")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("leader's unit"), on_delete=models.PROTECT,
                             related_name="+")
    reason = models.TextField(_("why this case"), blank=True)
    basis = models.CharField(_("basis"), max_length=12)  # rules.Basis: major, old, assigned
    taken_at = models.DateTimeField(_("taken at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.TextField(_("reason for releasing"), blank=True)

    class Meta:
        verbose_name = _("case owned by a leader")
        verbose_name_plural = _("cases owned by leaders")
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(released_at__isnull=True),
                                    name="ownership_one_leader_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.leader}"


class DutyShift(models.Model):
    """A leader's turn receiving residents at a service point (下沉接访): scheduled, then recorded."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        MISSED = "missed", _("Not held")

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT,
                               related_name="duty_shifts")
    service_point = models.ForeignKey("org.ServicePoint", verbose_name=_("service point"), on_delete=models.PROTECT,
                                      related_name="duty_shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"),
                                     on_delete=models.PROTECT, related_name="+")
    visitors = models.PositiveIntegerField(_("residents received"), default=0)
    cases = models.ManyToManyField("cases.Case", verbose_name=_("cases taken in"), blank=True,
                                   related_name="duty_shifts")
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sink-down duty shift")
        verbose_name_plural = _("sink-down duty shifts")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="dutyshift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.leader} · {self.service_point} · {self.starts_at:%Y-%m-%d %H:%M}"
