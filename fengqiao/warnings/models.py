"""What the early-warning radar (民意雷达) keeps.

- `RadarCase`: one lean row per submitted case, written by `hooks.case_submitted` in the submission's transaction,
  so a radar pass reads one indexed range (district, submitted_at) and never scans the cases table. The grade and
  whether the case is still open change after submission: they are read from the case by a join in the same query
  (`selectors.district_records`), never copied here.
- `Warning`: one phenomenon (a burst, a cluster of near-identical texts, many cases against one respondent, …) with
  its level, its evidence, the chart's series, a suggested owner and its own closed loop
  (open → acknowledged → acting → closed with a result). At most one warning that is not closed per (district, key):
  the database refuses a second one, so two overlapping radar runs cannot raise the same phenomenon twice.
- `WarningEvent`: the loop's log, append-only.
- `ThresholdOverride`: one threshold of the detectors changed for one district (Django admin); the rest keep the
  defaults of `thresholds.DEFAULT_THRESHOLDS`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RadarCase(models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), primary_key=True, on_delete=models.CASCADE, related_name="radar"
    )
    district = models.ForeignKey("org.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place code"), max_length=20)
    street = models.CharField(_("street code"), max_length=20, blank=True)
    category = models.CharField(_("category code"), max_length=40, blank=True)
    respondent = models.CharField(_("respondent key"), max_length=120, blank=True)
    complainant = models.CharField(
        _("complainant key"),
        max_length=64,
        blank=True,
        help_text=_("A keyed hash of the applicant's phone, never the phone."),
    )
    people = models.PositiveIntegerField(_("people involved"), default=1)
    fingerprint = models.BigIntegerField(_("text fingerprint"), default=0)  # 64-bit, stored signed
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("case seen by the radar")
        verbose_name_plural = _("cases seen by the radar")
        indexes = [models.Index(fields=["district", "submitted_at"], name="radarcase_district_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.place}"


class Level(models.TextChoices):
    RED = "red", _("Red warning")
    ORANGE = "orange", _("Orange warning")
    YELLOW = "yellow", _("Yellow warning")


class State(models.TextChoices):
    OPEN = "open", _("Waiting to be acknowledged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTING = "acting", _("Action under way")
    CLOSED = "closed", _("Closed")


class Kind(models.TextChoices):
    BURST = "burst", _("Burst of similar demands")
    CLUSTER = "cluster", _("Near-identical texts")
    RESPONDENT = "respondent", _("Many cases against one respondent")
    REPEAT = "repeat", _("Repeat complainant")
    COLLECTIVE = "collective", _("Collective case")
    RED_OPEN = "red_open", _("Red case open too long")
    DRIFT = "drift", _("Grades drifting upward")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved: the cause was dealt with")
    CONTAINED = "contained", _("Contained: under control, to be watched")
    FALSE_ALARM = "false_alarm", _("False alarm: nothing to act on")


class Warning(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200, help_text=_("The identity of the phenomenon, run after run."))
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    district = models.ForeignKey(
        "org.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="warnings"
    )
    place = models.ForeignKey("org.Region", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    respondent = models.CharField(_("respondent"), max_length=120, blank=True)
    title = models.JSONField(_("title"), default=dict)  # a stored reason (fengqiao.core.reasons)
    reason = models.JSONField(_("why"), default=dict)  # a stored reason, from the detector
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("evidence"), through="WarningCase", related_name="warnings"
    )
    series = models.JSONField(_("daily counts"), default=list)  # [["2026-12-01", 3], ...]
    count = models.PositiveIntegerField(_("cases"), default=0)
    started_at = models.DateTimeField(_("first case"))
    raised_at = models.DateTimeField(_("raised at"))
    last_seen_at = models.DateTimeField(_("last seen"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    owner_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("suggested owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings_owned",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    actions = models.PositiveIntegerField(_("actions recorded"), default=0)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    result = models.TextField(_("result"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("recurrence of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recurrences",
    )

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["district", "state"], name="warning_district_state"),
            models.Index(fields=["district", "key"], name="warning_district_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "key"], condition=~models.Q(state="closed"), name="warning_one_open_per_key"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=["red", "orange", "yellow"]), name="warning_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "acknowledged", "acting", "closed"]), name="warning_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} {self.key}"

    @property
    def is_closed(self) -> bool:
        return self.state == State.CLOSED


class WarningCase(models.Model):
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="evidence")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("evidence case")
        verbose_name_plural = _("evidence cases")
        constraints = [models.UniqueConstraint(fields=["warning", "case"], name="warningcase_once")]

    def __str__(self) -> str:
        return f"{self.warning_id} · {self.case_id}"


class WarningEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the warning log is append-only")

    def delete(self):
        raise TypeError("the warning log is append-only")


class WarningEvent(models.Model):
    class Action(models.TextChoices):
        RAISED = "raised", _("Raised")
        UPDATED = "updated", _("New evidence")
        ESCALATED = "escalated", _("Level raised")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ACTION = "action", _("Action recorded")
        CLOSED = "closed", _("Closed")

    warning = models.ForeignKey(Warning, verbose_name=_("warning"), on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("when"))
    action = models.CharField(_("what"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = WarningEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("warning event")
        verbose_name_plural = _("warning events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("the warning log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the warning log is append-only")


class ThresholdOverride(models.Model):
    """A district's changes to the detectors' thresholds: a dict {field of `Thresholds`: value}; every field not
    named keeps `DEFAULT_THRESHOLDS` (`Thresholds.from_dict`)."""

    district = models.OneToOneField(
        "org.Region",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": "district"},
    )
    values = models.JSONField(
        _("thresholds changed"),
        default=dict,
        blank=True,
        help_text=_('For example {"burst_min_count": 8, "repeat_min_count": 4}.'),
    )
    note = models.CharField(_("why"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("radar thresholds of a district")
        verbose_name_plural = _("radar thresholds of districts")
        ordering = ["district"]

    def __str__(self) -> str:
        return str(self.district)
