"""Every POST runs at most once per Idempotency-Key (fengqiao.intake.idempotency.run_once, scope "api:<client>").

A replay with the same key and the same request gets the first answer again (same
status, same body, header `Idempotent-Replayed: true`); the same key with another
request is refused (422). Errors are not recorded: a failed request may be retried
with its key once the problem is fixed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse

from fengqiao.api.auth import IDEMPOTENCY_HEADER
from fengqiao.api.models import ApiClient
from fengqiao.intake.idempotency import run_once

REPLAYED_HEADER = "Idempotent-Replayed"


def respond_once(request: HttpRequest, client: ApiClient, *, payload, action: Callable[[], tuple[int, dict, object]]
                 ) -> JsonResponse:
    """`action` returns (status, JSON-ready body, case or None); `payload` is what makes two requests "the same"."""
    outcome = run_once(
        scope=f"api:{client.pk}",
        key=request.headers[IDEMPOTENCY_HEADER].strip(),
        payload={"method": request.method, "path": request.path, "body": payload},
        action=action,
    )
    response = JsonResponse(outcome.body, status=outcome.status_code, json_dumps_params={"ensure_ascii": False})
    if outcome.replayed:
        response[REPLAYED_HEADER] = "true"
    return response
