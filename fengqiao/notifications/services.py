"""Notify people: in-app notices plus outbox messages, written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fengqiao.core.masking import mask_text
from fengqiao.notifications.models import Notification, OutboxMessage, OutboxStatus
from fengqiao.org.models import OrgUnit

MAX_ATTEMPTS = 6


def unit_members(units: Iterable[OrgUnit], roles: Iterable[str]) -> list:
    from fengqiao.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            memberships__unit__in=list(units),
            memberships__role__in=list(roles),
            memberships__is_active=True,
        ).distinct()
    )


def notify(recipients: Iterable, *, kind: str, title: str, body: str = "", case=None, key: str) -> int:
    """Tell each recipient once per `key`; returns how many new in-app notices were written.

    Title and body may quote free text (a case title, a reason): personal data in them is masked here, the one
    place a notice leaves the case for an inbox, an e-mail or an SMS gateway (core.masking)."""
    users = {u.pk: u for u in recipients if u is not None}
    if not users:
        return 0
    title, body = mask_text(title), mask_text(body)
    existing = set(Notification.objects.filter(key=key, recipient_id__in=users).values_list("recipient_id", flat=True))
    fresh = [u for pk, u in users.items() if pk not in existing]
    Notification.objects.bulk_create(
        [Notification(recipient=u, case=case, kind=kind, title=title, body=body, key=key) for u in fresh],
        ignore_conflicts=True,
    )
    now = timezone.now()
    messages = []
    for user in fresh:
        if user.email and settings.FQ_NOTIFY_CHANNELS.get("email"):
            messages.append(OutboxMessage(channel="email", address=user.email, subject=title, body=body,
                                          key=f"{key}:email:{user.pk}", next_attempt_at=now))
        if user.phone and settings.FQ_NOTIFY_CHANNELS.get("sms") and kind in settings.FQ_SMS_KINDS:
            messages.append(OutboxMessage(channel="sms", address=user.phone, subject=title, body=f"{title} {body}",
                                          key=f"{key}:sms:{user.pk}", next_attempt_at=now))
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
        transaction.on_commit(_enqueue_delivery)
    return len(fresh)


def _enqueue_delivery() -> None:
    from fengqiao.notifications.tasks import deliver_outbox

    deliver_outbox.enqueue()


def outbox_deliver(*, limit: int = 100) -> dict[str, int]:
    """Send what is due. Each message is claimed by a conditional update, so two workers never both send it."""
    from fengqiao.notifications.channels import channel_for

    now = timezone.now()
    # A worker that died mid-send (killed, power cut) released its claim after this long; the message goes again,
    # with the same Idempotency-Key, so a gateway that honours it delivers it once (the fault test checks this).
    stale = now - timedelta(seconds=settings.FQ_OUTBOX_CLAIM_SECONDS)
    OutboxMessage.objects.filter(status=OutboxStatus.SENDING, next_attempt_at__lt=stale).update(
        status=OutboxStatus.PENDING
    )
    counts = {"sent": 0, "failed": 0, "retry": 0}
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).values_list("pk", flat=True)[
            :limit
        ]
    )
    for pk in due:
        claimed = OutboxMessage.objects.filter(pk=pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENDING, next_attempt_at=now
        )
        if not claimed:
            continue
        message = OutboxMessage.objects.get(pk=pk)
        channel = channel_for(message.channel)
        try:
            if channel is None:
                raise RuntimeError(f"channel {message.channel} is switched off")
            channel.send(address=message.address, subject=message.subject, body=message.body, key=message.key)
        except Exception as exc:  # noqa: BLE001 - any failure is retried with backoff
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                counts["failed"] += 1
            else:
                message.status = OutboxStatus.PENDING
                message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
                counts["retry"] += 1
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            continue
        message.status, message.sent_at = OutboxStatus.SENT, timezone.now()
        message.attempts += 1
        message.save(update_fields=["status", "sent_at", "attempts"])
        counts["sent"] += 1
    return counts
