"""/webhooks: a client manages its own subscriptions and reads their delivery log."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.schema import Field

from fengqiao.api import services, webhooks
from fengqiao.api.auth import key_auth
from fengqiao.api.idempotent import respond_once
from fengqiao.api.models import ApiScope, WebhookSubscription
from fengqiao.api.routers.cases import IDEMPOTENCY, errors
from fengqiao.api.schemas import DeliveryPage, WebhookCreated, WebhookIn, WebhookOut

router = Router(tags=["webhooks"])
# Receiving events is reading cases: either case scope may subscribe.
AUTH = key_auth(ApiScope.CASES_READ, ApiScope.CASES)


class DeliveryFilters(Schema):
    cursor: int | None = Field(None, ge=1, description="`next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=100)


def _subscription(request: HttpRequest, subscription_id: int) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.filter(pk=subscription_id, client=request.auth).first()
    if subscription is None:
        raise Http404
    return subscription


def _out(subscription: WebhookSubscription) -> dict:
    return {
        "id": subscription.pk,
        "url": subscription.url,
        "events": subscription.events,
        "is_active": subscription.is_active,
        "created_at": subscription.created_at,
    }


@router.get("/webhooks", auth=AUTH, response={200: list[WebhookOut], **errors()}, summary="List webhooks",
            operation_id="webhook_list")
def webhook_list(request: HttpRequest):
    return [_out(s) for s in request.auth.webhooks.filter(is_active=True).order_by("pk")]


@router.post("/webhooks", auth=AUTH, response={201: WebhookCreated, **errors(400)}, summary="Subscribe",
             operation_id="webhook_create")
def webhook_create(request: HttpRequest, payload: WebhookIn, idempotency_key: str = IDEMPOTENCY):
    """Events are POSTed as JSON, signed: `X-Fengqiao-Signature: sha256=<hex HMAC-SHA256 of the raw body
    with the secret>`, with `X-Fengqiao-Event` and `X-Fengqiao-Delivery` (an id to de-duplicate on).
    Answer 2xx within 10 s; anything else is retried with exponential backoff. Only events after the
    subscription are sent, and only about cases this key may see."""
    client = request.auth

    def create():
        subscription = services.webhook_subscribe(
            client=client, url=payload.url, events=payload.events, secret=payload.secret
        )
        body = WebhookCreated.model_validate({**_out(subscription), "secret": subscription.secret})
        return 201, body.model_dump(mode="json"), None

    return respond_once(request, client, payload=payload.model_dump(mode="json"), action=create)


@router.delete("/webhooks/{subscription_id}", auth=AUTH, response={204: None, **errors(404)},
               summary="Unsubscribe", operation_id="webhook_delete")
def webhook_delete(request: HttpRequest, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    if not subscription.is_active:
        raise Http404
    services.webhook_unsubscribe(subscription=subscription)
    return Status(204, None)


@router.get("/webhooks/{subscription_id}/deliveries", auth=AUTH, response={200: DeliveryPage, **errors(404)},
            summary="Delivery log", operation_id="webhook_deliveries")
def webhook_deliveries(request: HttpRequest, subscription_id: int, filters: Query[DeliveryFilters]):
    """Newest first, with every attempt (time, response code, error)."""
    subscription = _subscription(request, subscription_id)
    qs = subscription.deliveries.prefetch_related("attempt_log").order_by("-pk")
    if filters.cursor:
        qs = qs.filter(pk__lt=filters.cursor)
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": [webhooks.delivery_out(d) for d in rows], "next_cursor": rows[-1].pk if more else None}
