"""The big screen's counters: cases pre-aggregated so a view never scans the cases (MISSION §10, §14).

Kept correct by the case services in the same transaction as each change (`fengqiao.dashboard.tallies`), rebuilt by
`manage.py rebuild_tallies`. Every row carries its region's `path` (the chain of codes from the root), so
"everything under region X" is an indexed prefix query. What each measure means is written in `tallies.py`.

Keys that may be "none" are stored as 0 / "" (never NULL): a unique key with a NULL in it never conflicts, and the
additive upsert relies on the conflict.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayTally(models.Model):
    """Cases submitted on `day` (Asia/Shanghai) in `region`, by service type and current grade."""

    day = models.DateField(_("day"))
    region_id = models.IntegerField(_("region"))
    path = models.CharField(_("region path"), max_length=255)
    service_type = models.CharField(_("service type"), max_length=16)
    grade = models.CharField(_("grade"), max_length=8)
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    concluded = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    people = models.BigIntegerField(default=0)
    money_cents = models.BigIntegerField(default=0)
    collective = models.IntegerField(default=0)

    KEY = ("day", "region_id", "path", "service_type", "grade")
    MEASURES = (
        "received",
        "resolved",
        "concluded",
        "on_time",
        "rated",
        "satisfied",
        "people",
        "money_cents",
        "collective",
    )

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(fields=["region_id", "day", "service_type", "grade"], name="daytally_region_day"),
        ]
        indexes = [models.Index(fields=["path", "day"], name="daytally_path_day")]

    def __str__(self) -> str:
        return " ".join(str(getattr(self, k)) for k in self.KEY)


class CategoryTally(models.Model):
    """Cases submitted on `day` in `region` by category (0: none)."""

    day = models.DateField(_("day"))
    region_id = models.IntegerField(_("region"))
    path = models.CharField(_("region path"), max_length=255)
    category_id = models.IntegerField(_("category"))
    received = models.IntegerField(default=0)

    KEY = ("day", "region_id", "path", "category_id")
    MEASURES = ("received",)

    class Meta:
        verbose_name = _("daily count by category")
        verbose_name_plural = _("daily counts by category")
        constraints = [models.UniqueConstraint(fields=["region_id", "day", "category_id"], name="cattally_region_day")]
        indexes = [models.Index(fields=["path", "day"], name="cattally_path_day")]

    def __str__(self) -> str:
        return " ".join(str(getattr(self, k)) for k in self.KEY)


class UnitTally(models.Model):
    """Cases submitted on `day` in `region` by the unit that holds them now (the unit ranking)."""

    day = models.DateField(_("day"))
    region_id = models.IntegerField(_("region"))
    path = models.CharField(_("region path"), max_length=255)
    unit_id = models.IntegerField(_("unit"))
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    concluded = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    KEY = ("day", "region_id", "path", "unit_id")
    MEASURES = ("received", "resolved", "concluded", "on_time")

    class Meta:
        verbose_name = _("daily count by unit")
        verbose_name_plural = _("daily counts by unit")
        constraints = [models.UniqueConstraint(fields=["region_id", "day", "unit_id"], name="unittally_region_day")]
        indexes = [models.Index(fields=["path", "day"], name="unittally_path_day")]

    def __str__(self) -> str:
        return " ".join(str(getattr(self, k)) for k in self.KEY)


class RespondentTally(models.Model):
    """Cases submitted on `day` in `region` naming `respondent` (normalised name) as a respondent."""

    day = models.DateField(_("day"))
    region_id = models.IntegerField(_("region"))
    path = models.CharField(_("region path"), max_length=255)
    respondent = models.CharField(_("respondent"), max_length=100)
    received = models.IntegerField(default=0)

    KEY = ("day", "region_id", "path", "respondent")
    MEASURES = ("received",)

    class Meta:
        verbose_name = _("daily count by respondent")
        verbose_name_plural = _("daily counts by respondent")
        constraints = [models.UniqueConstraint(fields=["region_id", "day", "respondent"], name="resptally_region_day")]
        indexes = [models.Index(fields=["path", "day"], name="resptally_path_day")]

    def __str__(self) -> str:
        return " ".join(str(getattr(self, k)) for k in self.KEY)


class OpenTally(models.Model):
    """Cases open now in `region`, by grade and service type (the map's colours and the open counts)."""

    region_id = models.IntegerField(_("region"))
    path = models.CharField(_("region path"), max_length=255)
    grade = models.CharField(_("grade"), max_length=8)
    service_type = models.CharField(_("service type"), max_length=16)
    open = models.IntegerField(default=0)

    KEY = ("region_id", "path", "grade", "service_type")
    MEASURES = ("open",)

    class Meta:
        verbose_name = _("open count")
        verbose_name_plural = _("open counts")
        constraints = [
            models.UniqueConstraint(fields=["region_id", "grade", "service_type"], name="opentally_key"),
        ]
        indexes = [models.Index(fields=["path"], name="opentally_path")]

    def __str__(self) -> str:
        return " ".join(str(getattr(self, k)) for k in self.KEY)


TALLY_MODELS: tuple[type[models.Model], ...] = (DayTally, CategoryTally, UnitTally, RespondentTally, OpenTally)
