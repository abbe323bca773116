"""The REST API for partner systems (django-ninja), mounted at /api/v1/ by fengqiao/urls.py."""

from __future__ import annotations

from django.conf import settings
from ninja import NinjaAPI
from ninja.throttling import SimpleRateThrottle

from fengqiao.api import errors
from fengqiao.api.routers import cases, mediation, webhooks

DESCRIPTION = """
The Fengqiao (枫桥) platform for partner systems: the city's 12345 hotline, non-police incidents
handed over by 110, the municipal demand platform, video analytics and IoT sensors, other
districts' platforms. Everything lands in the same case model as the resident's web form, and
moves through the same lifecycle services with the same rules.

**Keys.** An operator issues a key (`./fq manage create_api_key`) for a service account that
belongs to one or more units: the key sees and does exactly what that account may (a Luohu key
sees no Guangming case: it answers 404). Send it as `Authorization: Bearer <key>` or
`X-API-Key: <key>`. Scopes: `cases` (read and write), `cases:read`, `open311`, `pii` (unmasked
names, phones and ID numbers; every unmasked read is recorded on the case's timeline).

**Retries.** Every POST needs an `Idempotency-Key` header. A retry with the same key and the
same body returns the first answer (header `Idempotent-Replayed: true`) and never a second case;
the same key with another body is refused (422). A `source_id` you sent before also returns the
first case.

**Errors** are JSON `{"code", "message", "fields"}`: messages in Chinese, in English with
`Accept-Language: en`. 400 unreadable input (code `invalid_text`: no text anywhere in a request, path, query,
header or body, may hold the NUL character U+0000, and text must be UTF-8; a JSON string may not hold a lone
surrogate), 401 no or bad key, 403 missing scope or right, 404 not visible,
409 the case's state does not allow the action (or `expected_version` is stale), 422 invalid input.

**Webhooks.** Subscribe to case events; deliveries are signed with HMAC-SHA256
(`X-Fengqiao-Signature: sha256=<hex>`), retried with exponential backoff, and logged.
"""


class ClientThrottle(SimpleRateThrottle):
    """Requests per API client (FQ_API_RATE, e.g. "600/m"), counted in the shared cache."""

    scope = "api_client"

    def __init__(self) -> None:
        super().__init__(settings.FQ_API_RATE)

    def get_cache_key(self, request) -> str | None:
        client = getattr(request, "auth", None)
        return f"throttle_api_client_{client.pk}" if client is not None else None


api = NinjaAPI(
    title="Fengqiao API",
    version="1.0.0",
    description=DESCRIPTION.strip(),
    urls_namespace="fq-api-v1",
    docs_url=None,  # the docs page would load Swagger UI from a CDN; read openapi.json with a local tool
    throttle=ClientThrottle(),
)
api.add_decorator(errors.in_request_language, mode="view")
errors.install(api)
api.add_router("", cases.router)
api.add_router("", webhooks.router)
api.add_router("", mediation.router)
