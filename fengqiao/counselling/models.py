"""The psychological service (心理服务): confidential counselling on a case (LEGAL.md "Personal information").

An `Engagement` is one counsellor's work with the people of a case; its `SessionRecord`s are kept here and
never on the case timeline (which only learns, staff-only, that counselling was opened or closed). The
records are read by the counsellor and by the users they grant (`Grant`, with a reason and an expiry) —
nobody else: not the case's holders, not leaders, not the auditor, not the Django admin. Every read and
every refused attempt is an `AccessLog` row, which is only ever inserted.

Rules (who may read, what a grant may be, which risk levels alert the unit's leader) live in
`fengqiao.counselling.rules`; every write goes through `fengqiao.counselling.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.org.models import OrgUnit


class RiskLevel(models.TextChoices):
    NONE = "none", _("No risk seen")
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")
    CRISIS = "crisis", _("Crisis")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Signed consent form")
    ORAL = "oral", _("Oral consent, recorded by the counsellor")
    ONLINE = "online", _("Confirmed online by the resident")
    GUARDIAN = "guardian", _("Given by the guardian (signed)")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("Face to face")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")
    HOME_VISIT = "home_visit", _("Home visit")


class Engagement(models.Model):
    """One counsellor's confidential work on a case. Consent for the psychological records (who gave it, when,
    how) is separate from the case's general consent to sensitive data; no record is written without it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ongoing")
        CLOSED = "closed", _("Ended")

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="counselling_engagements")
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("counsellor"), on_delete=models.PROTECT,
                                   related_name="counselling_engagements")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("counsellor's unit"), on_delete=models.PROTECT,
                             related_name="counselling_engagements")
    mediation = models.ForeignKey("mediation.Mediation", verbose_name=_("mediation team"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="counselling_engagements")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    crisis_note = models.TextField(_("crisis protocol note"), blank=True)
    risk_changes = models.PositiveIntegerField(_("times the risk level changed"), default=0, editable=False)
    consent_by = models.CharField(_("consent given by"), max_length=100, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_method = models.CharField(_("how consent was given"), max_length=10, choices=ConsentMethod.choices,
                                      blank=True)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("consent recorded by"),
                                            null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("counselling engagement")
        verbose_name_plural = _("counselling engagements")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["open", "closed"]), name="engagement_status_valid"),
            models.CheckConstraint(condition=models.Q(risk_level__in=RiskLevel.values), name="engagement_risk_valid"),
            models.CheckConstraint(condition=models.Q(status="open", closed_at__isnull=True)
                                   | models.Q(status="closed", closed_at__isnull=False),
                                   name="engagement_closed_has_date"),
            # Consent is recorded whole (who, when, how) or not at all.
            models.CheckConstraint(condition=models.Q(consent_at__isnull=True, consent_method="", consent_by="")
                                   | (models.Q(consent_at__isnull=False) & ~models.Q(consent_method="")
                                      & ~models.Q(consent_by="")),
                                   name="engagement_consent_whole"),
            models.UniqueConstraint(fields=["case", "counsellor"], condition=models.Q(status="open"),
                                    name="engagement_one_open_per_counsellor"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.counsellor_id} · {self.get_status_display()}"

    @property
    def has_consent(self) -> bool:
        return self.consent_at is not None


class SessionRecord(models.Model):
    """A counselling session's record: when, how, how long, the notes, the assessment and the plan.
    Records are added, never changed: a correction is a new record."""

    engagement = models.ForeignKey(Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
                                   related_name="records")
    seq = models.PositiveSmallIntegerField(_("number"))
    held_on = models.DateField(_("date"))
    mode = models.CharField(_("how"), max_length=12, choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    notes = models.TextField(_("session notes"))
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT,
                                   related_name="+")
    written_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("counselling session record")
        verbose_name_plural = _("counselling session records")
        ordering = ["engagement", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "seq"], name="sessionrecord_unique_seq"),
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480),
                                   name="sessionrecord_duration_range"),
        ]

    def __str__(self) -> str:
        return f"{self.engagement_id} #{self.seq}"


class Grant(models.Model):
    """The counsellor lets one more person read an engagement's records, for a reason, until a time."""

    engagement = models.ForeignKey(Engagement, verbose_name=_("engagement"), on_delete=models.PROTECT,
                                   related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted to"), on_delete=models.PROTECT,
                             related_name="counselling_grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.TextField(_("why revoked"), blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(granted_at__lt=models.F("expires_at")),
                                   name="grant_expires_after_granted"),
            models.CheckConstraint(condition=models.Q(revoked_at__isnull=True)
                                   | (models.Q(revoked_by__isnull=False) & ~models.Q(revoke_reason="")),
                                   name="grant_revoked_has_reason"),
            models.UniqueConstraint(fields=["engagement", "user"], condition=models.Q(revoked_at__isnull=True),
                                    name="grant_one_unrevoked_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.engagement_id} → {self.user_id}"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the counselling access log is append-only")

    def delete(self):
        raise TypeError("the counselling access log is append-only")


class AccessLog(models.Model):
    """One read of counselling records, or one refused attempt: who, when, what, for what purpose.
    Rows are only ever inserted (by fengqiao.counselling.services); updating or deleting one raises."""

    class What(models.TextChoices):
        RECORDS = "records", _("Read the records")
        EXPORT = "export", _("Exported the records (PDF)")
        DENIED = "denied", _("Refused: no right to read")

    engagement = models.ForeignKey(Engagement, verbose_name=_("engagement"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="access_log")
    engagement_ref = models.PositiveBigIntegerField(_("engagement asked for"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), db_index=True)
    what = models.CharField(_("what"), max_length=10, choices=What.choices)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    grant = models.ForeignKey(Grant, verbose_name=_("by grant"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="reads")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("counselling access log entry")
        verbose_name_plural = _("counselling access log")
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(what__in=["records", "export", "denied"]),
                                              name="accesslog_what_valid")]

    def __str__(self) -> str:
        return f"{self.engagement_ref} {self.what} {self.user_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("the counselling access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the counselling access log is append-only")
