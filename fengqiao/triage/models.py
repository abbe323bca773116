"""Triage (MISSION §5): grading rules as data, the suggestions stored on each case, and the corrections people make.

- `GradingRule`: one signal or threshold that raises a case to yellow or red, with the sentence that
  explains it (shipped defaults in migration 0002, editable in the administration).
- `TriageSuggestion`: what the platform proposed for one part of one case (service type, category,
  grade, handling unit), why, with what confidence, from which rule or model version, and what a person
  did with it (accepted, or corrected with a note). The case page shows these (LEGAL.md: automated
  decisions are explained and a person can override them).
- `TriageCorrection`: a person's correction, kept as training data for the classifier and the router
  (read by fengqiao.triage.ml when it retrains).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, Grade, ServiceType


class GradingKind(models.TextChoices):
    PEOPLE = "people", _("People involved ≥ threshold")
    MONEY = "money", _("Money involved ≥ threshold (yuan)")
    URGENCY = "urgency", _("Urgency words in the text")
    TEXT = "text", _("Signal words in the text")
    TEXT_PEOPLE = "text_people", _("Signal words and people involved ≥ threshold")
    FESTIVAL = "festival", _("Signal words within N days before the Spring Festival")
    REPEAT = "repeat", _("Same phone: ≥ threshold cases within N days")


class GradingRule(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=GradingKind.choices)
    keywords = models.JSONField(
        _("keywords"), default=list, blank=True,
        help_text=_("Words that trigger the signal; “A+B” needs both A and B in the text."),
    )
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=2, null=True, blank=True)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True)
    grade = models.CharField(_("raises the grade to"), max_length=8,
                             choices=[(Grade.RED, Grade.RED.label), (Grade.YELLOW, Grade.YELLOW.label)])
    reason = models.CharField(
        _("reason shown"), max_length=200,
        help_text=_("Shown on the case. Placeholders: {keyword}, {people}, {amount}, {count}, {days}, {threshold}, "
                    "{window}."),
    )
    priority = models.PositiveSmallIntegerField(_("order of the reasons"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grading rule")
        verbose_name_plural = _("grading rules")
        ordering = ["priority", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=GradingKind.values), name="gradingrule_kind_valid"),
            models.CheckConstraint(condition=models.Q(grade__in=[Grade.RED, Grade.YELLOW]),
                                   name="gradingrule_grade_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.get_grade_display()}"


class Part(models.TextChoices):
    SERVICE_TYPE = "service_type", _("Service type")
    CATEGORY = "category", _("Category")
    GRADE = "grade", _("Risk grade")
    UNIT = "unit", _("Handling unit")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Not yet reviewed")
    ACCEPTED = "accepted", _("Accepted")
    CORRECTED = "corrected", _("Corrected")


class SuggestionSource(models.TextChoices):
    RULES = "rules", _("Rules")
    MODEL = "model", _("Model")
    FALLBACK = "fallback", _("Fallback")
    PERSON = "person", _("Person")


class TriageSuggestion(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="triage_suggestions")
    part = models.CharField(_("part"), max_length=16, choices=Part.choices)
    value = models.CharField(_("suggested value"), max_length=64, blank=True)
    label = models.CharField(_("suggestion"), max_length=120, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    alternatives = models.JSONField(_("next candidates"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=SuggestionSource.choices,
                              default=SuggestionSource.RULES)
    rule = models.CharField(_("rule used"), max_length=120, blank=True)
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    needs_operator = models.BooleanField(_("needs a person"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    status = models.CharField(_("status"), max_length=10, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.PENDING)
    final_value = models.CharField(_("value chosen"), max_length=64, blank=True)
    final_label = models.CharField(_("chosen"), max_length=120, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")
        ordering = ["case", "part"]
        constraints = [
            models.UniqueConstraint(fields=["case", "part"], name="triagesuggestion_unique_part"),
            models.CheckConstraint(condition=models.Q(part__in=Part.values), name="triagesuggestion_part_valid"),
            models.CheckConstraint(condition=models.Q(status__in=SuggestionStatus.values),
                                   name="triagesuggestion_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.part}: {self.label}"

    @property
    def is_decided(self) -> bool:
        return self.status != SuggestionStatus.PENDING

    # What is shown is in the reader's language: stored labels of choices are looked up again by their value,
    # and the rule reference "#<id> v<version>" is worded when shown (the evidence: fengqiao.core.reasons).
    RULE_REF = re.compile(r"^#(\d+) v(\d+)$")

    def _shown(self, value: str, stored: str) -> str:
        if self.part == Part.GRADE and value in Grade.values:
            return str(Grade(value).label)
        if self.part == Part.SERVICE_TYPE and value in ServiceType.values:
            return str(ServiceType(value).label)
        return stored

    @property
    def label_shown(self) -> str:
        return self._shown(self.value, self.label)

    @property
    def final_label_shown(self) -> str:
        return self._shown(self.final_value, self.final_label)

    @property
    def alternatives_shown(self) -> list[dict]:
        return [{**a, "label": self._shown(str(a.get("value", "")), a.get("label", ""))} for a in self.alternatives or []]

    @property
    def rule_shown(self) -> str:
        found = self.RULE_REF.match(self.rule or "") if self.part == Part.UNIT else None
        if found is None:
            return self.rule
        return str(_("rule #%(id)d v%(version)d")) % {"id": int(found[1]), "version": int(found[2])}

    @property
    def is_guess(self) -> bool:
        """A classifier's answer below the confidence threshold: not filled in for one click, a person decides
        (the grade and the unit always have a definite suggestion: the rules' grade, or the centre by hand)."""
        return self.needs_operator and self.part in (Part.CATEGORY, Part.SERVICE_TYPE)


class TriageCorrection(models.Model):
    """A person's correction of a suggestion: the text and place with the right label (training data)."""

    class Task(models.TextChoices):
        CATEGORY = "category", _("Category")
        DISPATCH = "dispatch", _("Handling unit")
        SERVICE_TYPE = "service_type", _("Service type")

    task = models.CharField(_("task"), max_length=16, choices=Task.choices)
    title = models.CharField(_("title"), max_length=120, blank=True)
    body = models.TextField(_("text"))
    location = models.CharField(_("location"), max_length=100, blank=True)
    label = models.CharField(_("right label"), max_length=100)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("corrected by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("triage correction")
        verbose_name_plural = _("triage corrections")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(task__in=["category", "dispatch", "service_type"]),
                                   name="triagecorrection_task_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.task}: {self.label}"
