"""Run a submission at most once per (scope, key): a retry returns the first result, never a second case."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from fengqiao.intake.models import IdempotencyRecord


class IdempotencyConflict(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: dict
    replayed: bool


def request_fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def run_once(*, scope: str, key: str, payload, action: Callable[[], tuple[int, dict, object]]) -> Outcome:
    """`action` returns (status, body, case); it runs in the same transaction as the record of its answer.

    After a lost database connection (or a lock that failed fast on PostgreSQL) the whole of it runs once more
    on a fresh connection: safe, since the key answers a retry whose first attempt did commit
    (fengqiao.core.faults.retry_once).
    """
    from fengqiao.core.faults import retry_once

    fingerprint = request_fingerprint(payload)
    return retry_once(lambda: _run_once(scope, key, fingerprint, action), what=f"submission {scope}")


def _run_once(scope: str, key: str, fingerprint: str, action: Callable[[], tuple[int, dict, object]]) -> Outcome:
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if existing is not None:
        if existing.request_hash != fingerprint:
            raise IdempotencyConflict(key)
        return Outcome(existing.status_code, existing.body, True)
    try:
        with transaction.atomic():
            status, body, case = action()
            IdempotencyRecord.objects.create(
                scope=scope, key=key, request_hash=fingerprint, status_code=status, body=body,
                case=case if getattr(case, "pk", None) else None,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its result.
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            raise
        if existing.request_hash != fingerprint:
            raise IdempotencyConflict(key) from None
        return Outcome(existing.status_code, existing.body, True)
    return Outcome(status, body, False)
