"""Deadline policy (editable), calendar corrections, and the deadline of every open step."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, Grade


class Step(models.TextChoices):
    REVIEW = "review", _("Review (受理审核)")
    DISPATCH = "dispatch", _("Dispatch (分拨)")
    SIGN = "sign", _("Sign for (签收)")
    RESOLVE = "resolve", _("Resolve (办结)")
    CONFIRM = "confirm", _("Confirm (回访确认)")
    PROGRESS = "progress", _("Progress update (进展反馈)")


class TimeUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class DeadlinePolicy(models.Model):
    """How long a step may take for a grade, and when to remind and escalate. Shipped defaults: LEGAL.md."""

    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    amount = models.PositiveIntegerField(_("time allowed"))
    unit = models.CharField(_("unit"), max_length=14, choices=TimeUnit.choices)
    remind_before_minutes = models.PositiveIntegerField(
        _("remind before (minutes)"), help_text=_("A reminder goes to the holder this long before the deadline.")
    )
    escalate_after_minutes = models.PositiveIntegerField(
        _("escalate after (minutes)"),
        help_text=_("Grace period after the deadline before the supervising unit and a leader are alerted."),
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["grade", "step"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "step"], name="deadlinepolicy_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="deadlinepolicy_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} · {self.get_step_display()}: {self.amount} {self.get_unit_display()}"


class CalendarOverride(models.Model):
    """A correction to the statutory calendar (or a year `chinese-calendar` does not know yet)."""

    day = models.DateField(_("day"), unique=True)
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'work' if self.is_working else 'rest'}"


class DeadlineState(models.TextChoices):
    OPEN = "open", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class Deadline(models.Model):
    """The clock of one step of one case. The sweep marks reminded/alerted/escalated exactly once each."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("case"))
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    state = models.CharField(_("state"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    remind_at = models.DateTimeField(_("remind at"))
    escalate_at = models.DateTimeField(_("escalate at"))
    closed_at = models.DateTimeField(_("step closed at"), null=True, blank=True)
    paused_seconds_left = models.PositiveIntegerField(_("seconds left when paused"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("days of extension"), default=0)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("alerted at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(fields=["state", "due_at"], name="deadline_state_due"),
            models.Index(fields=["state", "remind_at"], name="deadline_state_remind"),
            models.Index(fields=["state", "escalate_at"], name="deadline_state_escalate"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=DeadlineState.values), name="deadline_state_valid"),
            # At most one running clock per step of a case.
            models.UniqueConstraint(
                fields=["case", "step"], condition=models.Q(state__in=["open", "paused"]), name="deadline_one_open_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.state} {self.due_at:%Y-%m-%d %H:%M}"
