"""Personal information (PIPL): consent with the notice shown, retention rules, holds, residents' requests, exports.

The rules live in `privacy/rules.py` (plain functions), the writes in `privacy/services.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import ServiceType


class ConsentRecord(models.Model):
    """What a resident agreed to, when, where, and which version of the privacy notice they were shown."""

    class Channel(models.TextChoices):
        WEB = "web", _("Public web form")
        BOOKING = "booking", _("Mediator booking")
        SERVICE_POINT = "service_point", _("At a service point")
        API = "api", _("Partner API")

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="consents")
    booking = models.ForeignKey("mediation.Booking", verbose_name=_("booking"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("where"), max_length=16, choices=Channel.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    notice_language = models.CharField(_("language of the notice"), max_length=8)
    notice_digest = models.CharField(_("SHA-256 of the notice text shown"), max_length=64)
    processing = models.BooleanField(_("agreed to the handling of the demand"), default=True)
    contact = models.BooleanField(_("agreed to be contacted"), default=False)
    sensitive = models.BooleanField(_("agreed to sensitive personal information"), default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resident account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    given_at = models.DateTimeField(_("given at"))

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(case__isnull=False) | models.Q(booking__isnull=False),
                                   name="consent_for_case_or_booking"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_version} {self.given_at:%Y-%m-%d %H:%M}"


class RetentionRule(models.Model):
    """How long personal data is kept after a record is closed, per kind of record (and service type for cases).

    Shipped defaults: `privacy/policy.py` (copied here by migration 0002); these rows win."""

    class Kind(models.TextChoices):
        CASE = "case", _("Case")
        BOOKING = "booking", _("Mediator booking")
        REQUEST = "request", _("Personal-information request")

    kind = models.CharField(_("kind of record"), max_length=12, choices=Kind.choices)
    service_type = models.CharField(_("service type"), max_length=16, choices=ServiceType.choices, blank=True,
                                    help_text=_("Empty: every service type without a rule of its own."))
    months = models.PositiveSmallIntegerField(_("months kept after closing"))
    note = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["kind", "service_type"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "service_type"], name="retention_rule_unique"),
            models.CheckConstraint(condition=models.Q(months__gte=1), name="retention_at_least_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.service_type or '*'}: {self.months}"


class LegalHold(models.Model):
    """A case whose personal data must be kept whatever the retention rule says (a court, an investigation)."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("placed by"), on_delete=models.PROTECT,
                                  related_name="+")
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.reason}"


class DataRequest(models.Model):
    """A resident's request to see (a copy) or delete their personal data (PIPL arts. 44–47, 50)."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("See a copy of my data")
        DELETE = "delete", _("Delete my data")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        DONE = "done", _("Done")
        PARTLY = "partly", _("Done in part")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Resident portal")
        SERVICE_POINT = "service_point", _("At a service point")

    number = models.CharField(_("request number"), max_length=24, unique=True)
    kind = models.CharField(_("request"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resident account"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="data_requests")
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    identity_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("identity checked by"),
                                            null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("what the resident asked"), max_length=500, blank=True)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("answering unit"), on_delete=models.PROTECT,
                             related_name="data_requests")
    cases = models.ManyToManyField("cases.Case", verbose_name=_("cases concerned"), blank=True,
                                   related_name="data_requests")
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reason = models.TextField(_("reason given to the resident"), blank=True)
    result = models.JSONField(_("what was done"), default=dict, blank=True)
    copy = models.BinaryField(_("copy of the data (JSON)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("personal-information request")
        verbose_name_plural = _("personal-information requests")
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["received", "done", "partly", "refused",
                                                                  "withdrawn"]),
                                   name="datarequest_status_valid"),
            models.CheckConstraint(condition=~models.Q(status="refused") | ~models.Q(reason=""),
                                   name="datarequest_refusal_has_reason"),
            models.CheckConstraint(condition=models.Q(status="received") | models.Q(handled_at__isnull=False),
                                   name="datarequest_answer_has_time"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.RECEIVED


class ExportRecord(models.Model):
    """One export of personal data (a document, a file, a copy): who, what, when and why. Append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    what = models.CharField(_("what"), max_length=40)
    subject = models.CharField(_("record"), max_length=120)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    purpose = models.CharField(_("why"), max_length=300)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("export of personal data")
        verbose_name_plural = _("exports of personal data")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.what} {self.subject}"


class Anonymisation(models.Model):
    """A case whose personal data was anonymised in place: when, why (retention, or a request) and by whom."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="anonymisation")
    at = models.DateTimeField(_("anonymised at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("why"), max_length=200)
    counts = models.JSONField(_("what changed"), default=dict, blank=True)

    class Meta:
        verbose_name = _("anonymised case")
        verbose_name_plural = _("anonymised cases")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"
