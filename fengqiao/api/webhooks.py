"""Webhooks: a durable producer that reads the case timeline, and a sender that signs, retries and logs.

The producer never hooks into the services: `enqueue_webhooks_since()` reads new
CaseEvent rows after a stored cursor (WebhookCursor) and writes one WebhookDelivery
per matching subscription whose client may see the case, in one transaction with
the cursor move. A crash leaves either nothing (read again next round) or
everything; the unique (subscription, case_event) constraint makes a re-read harmless,
which is also what lets each round look back a little behind the cursor for events
whose transaction committed late (ids are handed out before commit on PostgreSQL).

`webhooks_deliver()` claims due deliveries with a conditional update (two workers
never send one twice), POSTs the JSON signed with HMAC-SHA256, logs every attempt,
and retries failures with exponential backoff up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fengqiao.api.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookCursor,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.workflow import SYSTEM_ACTIONS, Action
from fengqiao.core.masking import mask_text

log = logging.getLogger("fengqiao.api.webhooks")

CURSOR = "case_events"
BATCH = 500
LOOKBACK = 100  # event ids re-read behind the cursor each round (late commits); duplicates are refused by the DB
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)  # 30 s, 1 min, 2 min … capped below
BACKOFF_CAP = timedelta(hours=6)
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Fengqiao-Signature"
EVENT_HEADER = "X-Fengqiao-Event"
DELIVERY_HEADER = "X-Fengqiao-Delivery"


def event_type(event: CaseEvent) -> str | None:
    """The webhook event a timeline line is, or None for what partners are not told (reads of personal data)."""
    if event.action == Action.PII_REVEAL:
        return None
    if event.action == Action.SUBMIT:
        return WebhookEvent.CASE_CREATED
    if event.from_status != event.to_status:
        return WebhookEvent.STATUS_CHANGED
    if event.action in SYSTEM_ACTIONS:
        return WebhookEvent.DEADLINE
    if event.action == Action.NOTE and (event.data or {}).get("attachment"):
        return WebhookEvent.ATTACHMENT_ADDED
    if event.action in (Action.NOTE, Action.PROGRESS):
        return WebhookEvent.NOTE_ADDED
    return WebhookEvent.UPDATED


def payload_for(event: CaseEvent, kind: str, delivery_id: str) -> dict:
    case = event.case
    return {
        "id": delivery_id,
        "event": kind,
        "occurred_at": event.at.isoformat(),
        "case": {
            "code": case.code,
            "status": case.status,
            "grade": case.grade,
            "service_type": case.service_type,
            "source_system": case.source_system,
            "source_id": case.source_id,
            "version": case.version,
        },
        "change": {
            "seq": event.seq,
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "reason": mask_text(event.reason),  # a push has no recorded reveal: personal data always masked
            "unit": event.actor_unit.name if event.actor_unit_id else None,
            "is_public": event.is_public,
        },
    }


# --- producer ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Produced:
    events_read: int
    deliveries: int
    cursor: int


@transaction.atomic
def enqueue_webhooks_since(last_event_id: int | None = None, *, limit: int = BATCH) -> Produced:
    """Turn timeline events after `last_event_id` (default: the stored cursor) into deliveries; move the cursor."""
    cursor, _created = WebhookCursor.objects.select_for_update().get_or_create(name=CURSOR)
    after = cursor.last_event_id if last_event_id is None else last_event_id
    fresh = list(CaseEvent.objects.filter(id__gt=after).order_by("id").values_list("id", flat=True)[:limit])
    if not fresh:
        return Produced(0, 0, cursor.last_event_id)
    events = list(
        CaseEvent.objects.filter(id__gt=max(0, after - LOOKBACK), id__lte=fresh[-1])
        .select_related("case", "actor_unit")
        .order_by("id")
    )
    subscriptions = list(
        WebhookSubscription.objects.filter(is_active=True, client__is_active=True, client__user__is_active=True)
        .select_related("client__user")
    )
    rows: list[WebhookDelivery] = []
    if subscriptions:
        case_ids = {e.case_id for e in events}
        visible: dict[int, set[int]] = {}
        for sub in subscriptions:
            if sub.client_id not in visible:
                visible[sub.client_id] = set(
                    Case.objects.visible_to(sub.client.user).filter(pk__in=case_ids).values_list("pk", flat=True)
                )
        done = set(
            WebhookDelivery.objects.filter(case_event_id__in=[e.id for e in events])
            .values_list("subscription_id", "case_event_id")
        )
        now = timezone.now()
        for event in events:
            kind = event_type(event)
            if kind is None:
                continue
            for sub in subscriptions:
                if (
                    event.id <= sub.start_event_id
                    or kind not in sub.events
                    or event.case_id not in visible[sub.client_id]
                    or (sub.pk, event.id) in done
                ):
                    continue
                delivery_id = uuid.uuid4()
                rows.append(WebhookDelivery(
                    uuid=delivery_id, subscription=sub, case_event=event, event=kind,
                    payload=payload_for(event, kind, str(delivery_id)), next_attempt_at=now,
                ))
    # A concurrent producer (another worker) may have written some of these: the constraint keeps one.
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    cursor.last_event_id = max(cursor.last_event_id, fresh[-1])
    cursor.save(update_fields=["last_event_id", "updated_at"])
    return Produced(len(fresh), len(rows), cursor.last_event_id)


def webhooks_produce(*, rounds: int = 20) -> int:
    """Read the timeline until caught up (at most `rounds` batches); returns the deliveries made."""
    made = 0
    for _round in range(rounds):
        result = enqueue_webhooks_since()
        made += result.deliveries
        if result.events_read == 0:
            break
    return made


# --- sender -------------------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a partner does with X-Fengqiao-Signature (here for tests and the docs)."""
    return hmac.compare_digest(sign(secret, body), signature or "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer, not an instruction to post the case elsewhere


# No proxies from the environment, no redirects: the request goes to the configured URL or nowhere.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status; raises urllib.error.HTTPError for non-2xx, OSError for network failures."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - checked URL
    with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        return response.status


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    from fengqiao.api.services import webhook_url_allowed

    subscription = delivery.subscription
    if not webhook_url_allowed(subscription.url):
        return None, "host not allowed by FQ_WEBHOOK_ALLOWED_HOSTS"
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Fengqiao-Webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.uuid),
        SIGNATURE_HEADER: sign(subscription.secret, body),
    }
    try:
        code = post(subscription.url, body, headers)
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    return code, "" if 200 <= code < 300 else f"HTTP {code}"


def webhooks_deliver(*, limit: int = 100) -> dict[str, int]:
    """Send what is due; returns counts of delivered, retry, failed."""
    now = timezone.now()
    stale = now - timedelta(minutes=10)  # a worker that died mid-send released its claim
    WebhookDelivery.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lt=stale).update(
        status=DeliveryStatus.PENDING
    )
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        claimed = WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, next_attempt_at=timezone.now()
        )
        if not claimed:
            continue
        delivery = WebhookDelivery.objects.select_related("subscription__client").get(pk=pk)
        if not (delivery.subscription.is_active and delivery.subscription.client.is_active):
            delivery.status, delivery.last_error = DeliveryStatus.CANCELLED, "subscription removed"
            delivery.save(update_fields=["status", "last_error"])
            continue
        started = time.monotonic()
        at = timezone.now()
        code, error = _send(delivery)
        delivery.attempts += 1
        WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, at=at, response_code=code, error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.response_code, delivery.last_error = code, error
        if not error:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
            counts["delivered"] += 1
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            counts["failed"] += 1
            log.warning("webhook %s failed for good after %d attempts: %s", delivery.uuid, delivery.attempts, error)
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
            counts["retry"] += 1
            log.info("webhook %s attempt %d failed (%s); next at %s", delivery.uuid, delivery.attempts, error,
                     delivery.next_attempt_at.isoformat())
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at", "response_code",
                                     "last_error"])
    return counts


def delivery_out(delivery: WebhookDelivery) -> dict:
    pending = delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    return {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if pending else None,
        "response_code": delivery.response_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "payload": delivery.payload,
        "attempt_log": [
            {"number": a.number, "at": a.at, "response_code": a.response_code, "error": a.error,
             "duration_ms": a.duration_ms}
            for a in delivery.attempt_log.all()
        ],
    }
