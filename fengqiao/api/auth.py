"""API keys: `fq_<prefix>_<secret>`, looked up by prefix, checked by the SHA-256 of the secret.

`client_for_key(raw_key)` is the one check every partner-facing endpoint uses (the
REST API here, Open311's `api_key`). The ninja auth classes below add what the REST
API asks of each request: the scope of the operation and, on every POST, an
Idempotency-Key header (checked before the body, so a retry without one is refused
whatever it carries).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer

from fengqiao.api.errors import IdempotencyKeyMissing, MissingScope
from fengqiao.api.models import ApiClient

KEY_PREFIX = "fq"
PREFIX_LENGTH = 8
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 100  # fengqiao.intake.models.IdempotencyRecord.key
_TOUCH_EVERY = timedelta(minutes=1)
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(prefix: str | None = None, secret: str | None = None) -> tuple[str, str, str]:
    """(raw key, prefix, secret hash) for a fresh key; the raw key is shown once and never stored."""
    prefix = prefix or secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secret or secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}_{prefix}_{secret}", prefix, hash_secret(secret)


def split_key(raw_key: str) -> tuple[str, str] | None:
    parts = (raw_key or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def client_for_key(raw_key: str | None) -> ApiClient | None:
    """The active client this key belongs to, or None (unknown, malformed, revoked, expired). Constant-time check."""
    parts = split_key(raw_key or "")
    prefix, secret = parts if parts else ("", "")
    client = (
        ApiClient.objects.select_related("user").filter(key_prefix=prefix).first() if prefix else None
    )
    # Compare even when there is no such client, so timing says nothing about which prefixes exist.
    matches = hmac.compare_digest(client.key_hash if client else _DUMMY_HASH, hash_secret(secret))
    now = timezone.now()
    if client is None or not matches or not client.is_active or not client.user.is_active:
        return None
    if client.revoked_at is not None or client.expires_at <= now:
        return None
    if client.last_used_at is None or now - client.last_used_at > _TOUCH_EVERY:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


class _ClientAuth:
    """Mixin: a valid key, then the operation's scope, then (POST) the idempotency key."""

    scopes: frozenset[str] = frozenset()

    def __init__(self, *scopes: str) -> None:
        self.scopes = frozenset(scopes)
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiClient | None:
        client = client_for_key(key)
        if client is None:
            return None
        if self.scopes and not any(client.has_scope(s) for s in self.scopes):
            raise MissingScope(sorted(self.scopes))
        if request.method == "POST":
            idem = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
            if not idem or len(idem) > IDEMPOTENCY_KEY_MAX:
                raise IdempotencyKeyMissing(too_long=bool(idem))
        return client


class BearerKey(_ClientAuth, HttpBearer):
    """`Authorization: Bearer fq_…`"""


class HeaderKey(_ClientAuth, APIKeyHeader):
    """`X-API-Key: fq_…` (for partners whose HTTP client cannot set Authorization)."""

    param_name = "X-API-Key"


def key_auth(*scopes: str) -> list:
    """Both ways of sending the key, for an operation that needs any one of `scopes`."""
    return [BearerKey(*scopes), HeaderKey(*scopes)]
