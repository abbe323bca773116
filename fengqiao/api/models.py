"""Partner systems on the REST API: their keys, their webhook subscriptions and the delivery log.

A partner (the city's 12345 hotline, 110's non-police handover, a video-analytics
vendor …) is an `ApiClient` tied to a service-account user whose memberships decide,
through fengqiao.org.access, which cases it sees and what it may do: exactly the
rules staff live by. Only the SHA-256 of a key's secret is stored (the prefix that finds the row is in clear);
the key is shown once. A key is scoped (ApiScope), expires (expires_at) and can be revoked (revoked_at).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    CASES = "cases", _("Read and change cases")
    CASES_READ = "cases:read", _("Read cases")
    OPEN311 = "open311", _("Open311 GeoReport v2")
    PII = "pii", _("Read unmasked personal data")


# A scope that includes others ("cases" can also read).
SCOPE_IMPLIES: dict[str, frozenset[str]] = {ApiScope.CASES: frozenset({ApiScope.CASES_READ})}


def key_expiry_default():
    """A key lasts FQ_API_KEY_DAYS from its issue (also what existing keys got when expiry was introduced)."""
    return timezone.now() + timedelta(days=settings.FQ_API_KEY_DAYS)


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    source_system = models.CharField(
        _("source system"), max_length=40, unique=True,
        help_text=_("Recorded on every case this client submits, with the partner's own id."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("service account"), on_delete=models.PROTECT, related_name="api_client"
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash (SHA-256 of the secret)"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # A key works until it expires or is revoked, whichever comes first; rotating issues a new key with a new term.
    expires_at = models.DateTimeField(_("key expires at"), default=key_expiry_default)
    revoked_at = models.DateTimeField(_("key revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        granted = set(self.scopes)
        for held in self.scopes:
            granted |= SCOPE_IMPLIES.get(held, frozenset())
        return scope in granted


class WebhookEvent(models.TextChoices):
    CASE_CREATED = "case.created", _("A case was submitted")
    STATUS_CHANGED = "case.status_changed", _("A case changed status")
    NOTE_ADDED = "case.note_added", _("A note or progress report was added")
    ATTACHMENT_ADDED = "case.attachment_added", _("A file was attached")
    UPDATED = "case.updated", _("Other change (supervision, grade, assignment, extension …)")
    DEADLINE = "case.deadline", _("A deadline reminder, overdue alert or escalation")


class WebhookSubscription(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("client"))
    url = models.URLField(_("URL"), max_length=300)
    secret = models.CharField(_("signing secret"), max_length=128)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    # Only timeline events after this one are delivered: a new subscription gets no history.
    start_event_id = models.BigIntegerField(_("first timeline event"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.client} → {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class WebhookDelivery(models.Model):
    """One event for one subscription; claimed, sent and retried by fengqiao.api.webhooks."""

    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("subscription"))
    case_event = models.ForeignKey("cases.CaseEvent", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("timeline event"))
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"),
                              max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhookdelivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "case_event"], name="webhookdelivery_once_per_event"),
            models.CheckConstraint(condition=models.Q(status__in=DeliveryStatus.values), name="webhookdelivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """Every try of a delivery, successful or not (the log a partner reads when debugging)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhookattempt_unique")]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"


class WebhookCursor(models.Model):
    """How far the producer has read the case timeline (CaseEvent ids); survives restarts."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook cursor")
        verbose_name_plural = _("webhook cursors")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"
