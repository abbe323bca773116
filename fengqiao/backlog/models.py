"""Special campaigns (专项行动) that clear a group of similar old cases, one plan per case (一案一策). The backlog board
itself stores nothing: it counts cases. Rules: `backlog/rules.py`; writes: `backlog/services.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120)
    district = models.ForeignKey("org.Region", verbose_name=_("district"), on_delete=models.PROTECT,
                                 related_name="campaigns")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="campaigns_owned")
    grouping = models.JSONField(_("how the cases were grouped"), default=dict, blank=True)
    goal = models.TextField(_("goal"), blank=True)
    due_on = models.DateField(_("clear by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("special campaign")
        verbose_name_plural = _("special campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignCase(models.Model):
    """A case in a campaign, with its own plan (一案一策) and the person who carries it out."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="entries")
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="campaign_entries")
    plan = models.TextField(_("plan for this case"), blank=True)
    plan_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("carried out by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    plan_due_on = models.DateField(_("plan due"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("case in a campaign")
        verbose_name_plural = _("cases in campaigns")
        ordering = ["case__submitted_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "case"], name="campaigncase_once")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.case}"
