"""The hash chain of the audit trail, as plain functions (no database).

A record's *content* is a small dict of plain values. Its `digest` is the SHA-256 of the canonical JSON of
that dict; its `chain` hash is an HMAC-SHA256, under the audit key, of the previous record's chain hash and its
own digest. So

- changing a record's content without its digest is seen at that record (the digest no longer matches);
- changing content and digest together, deleting a record or inserting one is seen at the next record, and at
  the record itself when it is the last one: its chain hash cannot be recomputed without the key, which lives
  in the environment (`FQ_AUDIT_KEY`), never in the database;
- deleting the newest records of a chain is seen by the daily anchor (fengqiao.audit.anchors), which seals the
  heads of the chains.

The canonical form (version 1) is frozen: migrations use it to chain existing rows. A new form gets a new version.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = ""  # the chain hash "before" the first record of a chain
VERSION = 1


def _plain(value: Any) -> Any:
    """JSON values as the database gives them back: keys as strings, tuples as lists, integral floats as ints
    (PostgreSQL's jsonb returns 1e20 and 2.0 as integers)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(Decimal(repr(value)))  # 1e20 → 10**20, as PostgreSQL reads the text "1e+20"
    return value


def timestamp(at: datetime) -> str:
    """A moment in UTC to the microsecond (what both databases store)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: dict[str, Any]) -> bytes:
    """The one byte string a content dict hashes to: sorted keys, no spaces, UTF-8."""
    normalised = _plain(json.loads(json.dumps(content)))
    return json.dumps(normalised, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def link(key: bytes, previous: str, record_digest: str) -> str:
    """The chain hash of a record: previous chain hash and own digest, under the audit key."""
    return hmac.new(key, f"{previous}|{record_digest}".encode("ascii"), hashlib.sha256).hexdigest()


def link_matches(keys: Sequence[bytes], previous: str, record_digest: str, stored: str) -> bool:
    """Whether `stored` is the chain hash under any of the keys (the newest first; older ones after a rotation)."""
    return any(hmac.compare_digest(link(key, previous, record_digest), stored) for key in keys)


def seal(key: bytes, payload: dict[str, Any]) -> str:
    """A keyed hash of a content dict (redaction records and anchors carry one)."""
    return hmac.new(key, canonical(payload), hashlib.sha256).hexdigest()


def seal_matches(keys: Sequence[bytes], payload: dict[str, Any], stored: str) -> bool:
    return any(hmac.compare_digest(seal(key, payload), stored) for key in keys)
