"""What of a case's timeline line (fengqiao.cases.models.CaseEvent) the chain covers, as plain functions.

Each case's timeline is its own chain (seq 1, 2, …): the previous line is the case's last event, which every
writer holds under the case's row lock (fengqiao.cases.services._act; a new case is not visible to anyone else
before its transaction commits), so chains never fork and no row is shared between cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fengqiao.audit import chain

# Data key of a timeline line that records a redaction (fengqiao.audit.redaction).
REDACTION = "redaction"


def event_content(*, case_id: int, seq: int, at: datetime, actor_id: int | None, actor_unit_id: int | None,
                  action: str, from_status: str, to_status: str, reason: str, data: dict[str, Any] | None,
                  is_public: bool) -> dict[str, Any]:
    """Everything a line says: case, position, moment, who (user and unit), what, before and after, why, data,
    and whether the resident sees it. Version 1 of the canonical form: frozen (migration cases/0010 uses it)."""
    return {
        "v": chain.VERSION,
        "case": case_id,
        "seq": seq,
        "at": chain.timestamp(at),
        "actor": actor_id,
        "unit": actor_unit_id,
        "action": action,
        "from": from_status,
        "to": to_status,
        "reason": reason,
        "data": data or {},
        "public": bool(is_public),
    }


def content_of(event) -> dict[str, Any]:
    """The content of a CaseEvent row (or any object with its fields)."""
    return event_content(case_id=event.case_id, seq=event.seq, at=event.at, actor_id=event.actor_id,
                         actor_unit_id=event.actor_unit_id, action=event.action, from_status=event.from_status,
                         to_status=event.to_status, reason=event.reason, data=event.data, is_public=event.is_public)


def sealed(content: dict[str, Any], previous_chain: str, key: bytes) -> tuple[str, str]:
    """(digest, chain) of a new line after the line whose chain hash is `previous_chain` (GENESIS for the first)."""
    record_digest = chain.digest(content)
    return record_digest, chain.link(key, previous_chain, record_digest)
