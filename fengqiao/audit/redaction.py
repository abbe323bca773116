"""The one recorded way to rewrite personal data inside timeline lines (for retention anonymisation).

A line's chain hash covers the digest of its content as written, so the chain stays whole when a line's text
changes; but the verifier then finds a content that no longer matches its digest. `case_events_redact` makes
that change legitimate and visible: in one transaction, under the case's row lock, it

1. computes each changed line's new digest,
2. appends a staff-only NOTE line to the same timeline whose data is
   `{"redaction": {"events": {"<seq>": "<new digest>", …}, "why": "…"}}` — chained and keyed like every line,
   so it cannot be forged or removed unseen,
3. rewrites only `reason` and `data` of those lines, through the triggers' one door (fengqiao.audit.guard).

`audit_verify` accepts a line whose content matches the digest its latest redaction record gives it and counts
it as redacted; anything else that changed stays a broken link.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from fengqiao.audit import chain
from fengqiao.audit.guard import unlocked
from fengqiao.audit.timeline import REDACTION, content_of
from fengqiao.cases.workflow import Action

REDACTABLE = ("reason", "data")


@transaction.atomic
def case_events_redact(*, case, changes: Mapping[int, Mapping[str, Any]], why: str, actor=None,
                       at: datetime | None = None):
    """Rewrite `reason` and/or `data` of some lines of `case`'s timeline: `changes` maps a CaseEvent id to the new
    values, e.g. `{event.pk: {"reason": "[已匿名]", "data": {...}}}`. `why` says on what ground (kept on the record,
    e.g. "retention rule R3"). Returns the appended redaction line (None when nothing changes).

    Called by the anonymisation service (the platform: `actor=None`), which decides what is personal data and
    checks any person's right before calling; this function checks only that nothing but `reason` and `data` of
    this case's lines changes."""
    from fengqiao.cases.models import Case, CaseEvent
    from fengqiao.cases.services import _append_event

    locked = Case.objects.select_for_update().get(pk=case.pk)
    events = {e.pk: e for e in CaseEvent.objects.filter(case=locked, pk__in=list(changes))}
    unknown = set(changes) - set(events)
    if unknown:
        raise ValueError(f"events {sorted(unknown)} are not lines of case {locked.code}")
    new_digests: dict[str, str] = {}
    for pk, fields in changes.items():
        bad = set(fields) - set(REDACTABLE)
        if bad:
            raise ValueError(f"only {', '.join(REDACTABLE)} of a timeline line can be redacted, not {sorted(bad)}")
        event = events[pk]
        if event.data and REDACTION in event.data:
            raise ValueError("a redaction record is not redacted itself")
        before = chain.digest(content_of(event))
        for name, value in fields.items():
            setattr(event, name, value)
        after = chain.digest(content_of(event))
        if after != before:
            new_digests[str(event.seq)] = after
    if not new_digests:
        return None
    count = len(new_digests)
    record = _append_event(
        locked,
        action=Action.NOTE,
        actor=actor,
        from_status=locked.status,
        reason=ngettext("Personal data removed from %(count)d earlier line of this timeline (%(why)s).",
                        "Personal data removed from %(count)d earlier lines of this timeline (%(why)s).",
                        count) % {"count": count, "why": why},
        data={REDACTION: {"events": new_digests, "why": why}},
        is_public=False,
        at=at or timezone.now(),
    )
    with unlocked():
        for pk in changes:
            event = events[pk]
            if str(event.seq) in new_digests:
                CaseEvent.objects.filter(pk=pk).update(reason=event.reason, data=event.data)
    return record
