"""The responsibility list (职责清单, MISSION §2): which unit must handle a category of demand in a place.

Rules are data an administrator edits without code. Every change is kept as a numbered revision
(`RuleRevision`), and the suggestion stored on a case names the rule and the version that decided it.
Writes go through fengqiao.routing.services (validation: unknown category, unit outside the district,
loops between centres, contradictions); the decision itself is fengqiao.routing.rules.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Category
from fengqiao.org.models import OrgUnit, Region


class CentreLevel(models.TextChoices):
    """A rule may name no unit but a level: the centre of the case's own place at that level."""

    COMMUNITY = "community", _("Community centre of the place")
    STREET = "street", _("Street centre of the place")
    DISTRICT = "district", _("District centre of the place")


class ResponsibilityRule(models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="responsibility_rules",
        help_text=_("First- or second-level category; a first-level category covers its sub-categories. "
                    "Empty: any category (then keywords are required)."),
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="responsibility_rules",
        help_text=_("The rule applies to this region and every region below it. Empty: the whole district of "
                    "the unit (or everywhere, for a rule that names a level)."),
    )
    keywords = models.JSONField(
        _("keywords"), default=list, blank=True,
        help_text=_("The rule applies only when the text contains one of these words. "
                    "“A+B” means both A and B appear."),
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("handling unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="responsibility_rules",
    )
    centre_level = models.CharField(
        _("or: stays with the centre at this level"), max_length=12, choices=CentreLevel.choices, blank=True,
        help_text=_("小事不出社区: community matters stay with the community centre of the place."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Among equally specific rules, the higher priority wins."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Inclusive."))
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility list")
        ordering = ["category__code", "region__path", "-priority", "pk"]
        constraints = [
            # Exactly one target: a named unit, or the centre of the place at a level.
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=False) & models.Q(centre_level=""))
                | (models.Q(unit__isnull=True) & models.Q(centre_level__in=CentreLevel.values)),
                name="responsibilityrule_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True) | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="responsibilityrule_valid_period",
            ),
        ]

    def __str__(self) -> str:
        target = self.unit.name if self.unit_id else self.get_centre_level_display()
        what = self.category.name if self.category_id else "、".join(self.keywords)
        return f"#{self.pk} {what} → {target}"

    def target_label(self) -> str:
        return self.unit.name if self.unit_id else str(self.get_centre_level_display())


class RuleRevision(models.Model):
    """One saved version of a rule: what it said, who changed it and when (the list's history)."""

    rule = models.ForeignKey(ResponsibilityRule, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rule revision")
        verbose_name_plural = _("rule revisions")
        ordering = ["rule", "-version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="rulerevision_unique")]

    def __str__(self) -> str:
        return f"#{self.rule_id} v{self.version}"
