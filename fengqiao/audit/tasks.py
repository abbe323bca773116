"""Background work of the audit trail, enqueued by fq_scheduler every round (idempotent: one anchor a day)."""

from __future__ import annotations

from django_tasks import task

from fengqiao.audit.anchors import anchor_write


@task()
def anchor_audit_chains() -> dict[str, object]:
    anchor = anchor_write()
    if anchor is None:
        return {"sealed": None}
    return {"sealed": anchor.day.isoformat(), "heads": len(anchor.heads), "seal": anchor.seal}
