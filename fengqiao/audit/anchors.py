"""The daily anchor: seals the heads of every case timeline that moved, and the counselling access-log rows
added, since the previous anchor, chained to it and keyed with the audit key.

Per-case chains find any changed, deleted or inserted line up to a case's last line; only the anchor finds a
deleted *last* line (or a deleted case history), because it remembers where each chain ended. It runs from the
scheduler (fengqiao.audit.tasks) once the day is over, and is logged (logger `fengqiao.audit`), so an operator can
keep the seals outside the database as well.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from fengqiao.audit import chain
from fengqiao.audit.keys import signing_key
from fengqiao.audit.models import AuditAnchor

log = logging.getLogger("fengqiao.audit")


# Other append-only logs the anchors seal, with the fields each row's digest covers (fixed: a field added to the
# model later is not covered until it is added here with a new key).
SEALED_LOGS: dict[str, tuple[str, ...]] = {
    "org.GrantRecord": ("id", "at", "event", "actor_id", "subject_id", "unit_id", "role", "reason", "basis",
                        "request_id"),
}


def anchor_content(anchor: AuditAnchor) -> dict[str, Any]:
    """What an anchor's seal covers (version 1)."""
    content = {
        "v": chain.VERSION,
        "day": anchor.day.isoformat(),
        "sealed_at": chain.timestamp(anchor.sealed_at),
        "events": [anchor.events_after, anchor.events_upto],
        "heads": anchor.heads,
        "accesslog": [anchor.accesslog_after, anchor.accesslog_upto, anchor.accesslog_digest],
        "previous": anchor.previous,
    }
    if anchor.logs:
        content["logs"] = anchor.logs
    return content


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def log_digest(label: str, after: int, upto: int) -> str:
    """A running SHA-256 over the rows of a sealed log with ids in (after, upto], in id order."""
    fields = SEALED_LOGS[label]
    running = hashlib.sha256()
    rows = _model(label).objects.filter(id__gt=after, id__lte=upto).order_by("id").values(*fields)
    for row in rows.iterator(chunk_size=2000):
        content = {name: chain.timestamp(value) if isinstance(value, datetime) else value
                   for name, value in row.items()}
        running.update(chain.digest(content).encode("ascii"))
    return running.hexdigest()


def logs_to_seal(last: AuditAnchor | None) -> dict[str, list]:
    sealed: dict[str, list] = {}
    for label in SEALED_LOGS:
        previous = (last.logs.get(label) if last else None) or [0, 0, ""]
        after = int(previous[1])
        upto = max(_model(label).objects.aggregate(m=Max("id"))["m"] or 0, after)
        sealed[label] = [after, upto, log_digest(label, after, upto)]
    return sealed


def _accesslog_model():
    from fengqiao.counselling.models import AccessLog

    return AccessLog


def accesslog_row_content(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "engagement": row["engagement_id"], "ref": row["engagement_ref"],
            "user": row["user_id"], "at": chain.timestamp(row["at"]), "what": row["what"],
            "purpose": row["purpose"], "grant": row["grant_id"]}


ACCESSLOG_FIELDS = ("id", "engagement_id", "engagement_ref", "user_id", "at", "what", "purpose", "grant_id")


def accesslog_digest(after: int, upto: int) -> tuple[str, int]:
    """A running SHA-256 over the access-log rows with ids in (after, upto], in id order; and how many."""
    running, count = hashlib.sha256(), 0
    rows = (_accesslog_model().objects.filter(id__gt=after, id__lte=upto).order_by("id")
            .values(*ACCESSLOG_FIELDS))
    for row in rows.iterator(chunk_size=2000):
        running.update(chain.digest(accesslog_row_content(row)).encode("ascii"))
        count += 1
    return running.hexdigest(), count


def chain_heads(after: int, upto: int) -> list[list]:
    """[[case id, seq, chain hash], …]: the last line of each timeline with lines whose ids are in (after, upto]."""
    from fengqiao.cases.models import CaseEvent

    heads: dict[int, tuple[int, str]] = {}
    rows = CaseEvent.objects.filter(id__gt=after, id__lte=upto).values_list("case_id", "seq", "chain")
    for case_id, seq, chain_hash in rows.iterator(chunk_size=5000):
        if case_id not in heads or seq > heads[case_id][0]:
            heads[case_id] = (seq, chain_hash)
    return [[case_id, seq, chain_hash] for case_id, (seq, chain_hash) in sorted(heads.items())]


def anchor_write(*, day: date | None = None, now: datetime | None = None) -> AuditAnchor | None:
    """Seal everything written since the previous anchor as the anchor of `day` (default: yesterday, local
    time). Nothing when that day (or a later one) is sealed already: safe to call every scheduler round."""
    from fengqiao.cases.models import CaseEvent

    now = now or timezone.now()
    day = day or timezone.localdate(now) - timedelta(days=1)
    last = AuditAnchor.objects.order_by("-day").first()
    if last is not None and last.day >= day:
        return None
    events_after = last.events_upto if last else 0
    events_upto = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
    accesslog_after = last.accesslog_upto if last else 0
    accesslog_upto = _accesslog_model().objects.aggregate(m=Max("id"))["m"] or 0
    anchor = AuditAnchor(
        day=day,
        sealed_at=now,
        events_after=events_after,
        events_upto=max(events_upto, events_after),
        heads=chain_heads(events_after, events_upto),
        accesslog_after=accesslog_after,
        accesslog_upto=max(accesslog_upto, accesslog_after),
        accesslog_digest=accesslog_digest(accesslog_after, accesslog_upto)[0],
        logs=logs_to_seal(last),
        previous=last.seal if last else chain.GENESIS,
    )
    anchor.seal = chain.seal(signing_key(), anchor_content(anchor))
    try:
        with transaction.atomic():
            anchor.save(force_insert=True)
    except IntegrityError:  # another worker sealed the day a moment ago
        return None
    log.info("audit anchor day=%s seal=%s heads=%d events<=%d accesslog<=%d", anchor.day, anchor.seal,
             len(anchor.heads), anchor.events_upto, anchor.accesslog_upto)
    return anchor
