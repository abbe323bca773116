"""Check the audit trail: every case timeline's chain, the anchors, the access-log seals.

`audit_problems()` yields each broken link it finds, case by case (in case id order) and then anchor by
anchor; `./fq manage audit_verify` prints the first (or all) and exits non-zero. Reads only, in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fengqiao.audit import chain
from fengqiao.audit.anchors import SEALED_LOGS, accesslog_digest, anchor_content, log_digest
from fengqiao.audit.guard import AUDIT_TABLES, installed
from fengqiao.audit.keys import verification_keys
from fengqiao.audit.models import AuditAnchor
from fengqiao.audit.timeline import REDACTION, content_of

EVENT_FIELDS = ("id", "case_id", "seq", "at", "actor_id", "actor_unit_id", "action", "from_status", "to_status",
                "reason", "data", "is_public", "digest", "chain")


# What can be wrong (messages translated when shown: the command prints them in English, the auditor's page in the
# reader's language).
MISSING_ONE = gettext_noop("line %(first)d of the timeline missing (deleted)")
MISSING_MANY = gettext_noop("lines %(first)d–%(last)d of the timeline missing (deleted)")
DUPLICATE = gettext_noop("a second line with the same number (inserted)")
NOT_FOLLOWING = gettext_noop("does not follow the line before it: inserted or forged, or its hashes were rewritten")
CHANGED = gettext_noop("its content (who, when, what, reason, data or visibility) was changed after it was written")
ANCHOR_ORDER = gettext_noop("does not follow the anchor before it (an anchor was deleted or changed)")
ANCHOR_SEAL = gettext_noop("its seal does not match what it says (the anchor was changed)")
HEAD_MISSING = gettext_noop("the line this anchor sealed as the case's last is missing (deleted)")
HEAD_CHANGED = gettext_noop("the line this anchor sealed has other hashes now (rewritten)")
LOG_CHANGED = gettext_noop("%(log)s rows %(first)d–%(last)d were changed or deleted after this anchor sealed them")


@dataclass(frozen=True)
class Problem:
    """One broken link: where (case code, event id and position, or the anchor's day) and what is wrong."""

    message: str
    args: dict[str, Any] = field(default_factory=dict)
    case_id: int | None = None
    case_code: str = ""
    event_id: int | None = None
    seq: int | None = None
    anchor_day: str = ""

    @property
    def what(self) -> str:
        return gettext(self.message) % self.args if self.args else gettext(self.message)

    def __str__(self) -> str:
        where = []
        if self.case_id is not None:
            where.append(f"case {self.case_code or '#' + str(self.case_id)}")
        if self.event_id is not None:
            where.append(f"event {self.event_id} (line {self.seq})")
        elif self.seq is not None:
            where.append(f"line {self.seq}")
        if self.anchor_day:
            where.append(f"anchor of {self.anchor_day}")
        return f"{', '.join(where)}: {self.what}" if where else self.what


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    redacted: int = 0
    anchors: int = 0
    warnings: list[str] = field(default_factory=list)


class _Row(NamedTuple):
    """A timeline line as read for checking (the fields of EVENT_FIELDS, in order)."""

    id: int
    case_id: int
    seq: int
    at: datetime
    actor_id: int | None
    actor_unit_id: int | None
    action: str
    from_status: str
    to_status: str
    reason: str
    data: Any
    is_public: bool
    digest: str
    chain: str


def case_problems(rows: Sequence[_Row], keys: Sequence[bytes], report: Report | None = None) -> Iterator[Problem]:
    """The broken links of one case's timeline (rows in seq order)."""
    redacted: dict[int, str] = {}  # seq → the digest its latest recorded redaction gives it
    for row in rows:
        record = (row.data or {}).get(REDACTION) if isinstance(row.data, dict) else None
        if isinstance(record, dict):
            for seq, new_digest in (record.get("events") or {}).items():
                if str(seq).isdigit() and int(seq) < row.seq:
                    redacted[int(seq)] = new_digest
    previous, expected = chain.GENESIS, 1
    for row in rows:
        def at_row(message: str, row: _Row = row, **args) -> Problem:
            return Problem(message, args, case_id=row.case_id, event_id=row.id, seq=row.seq)

        if row.seq != expected:
            if row.seq > expected:
                if row.seq == expected + 1:
                    yield at_row(MISSING_ONE, first=expected)
                else:
                    yield at_row(MISSING_MANY, first=expected, last=row.seq - 1)
            else:
                yield at_row(DUPLICATE)
        elif not chain.link_matches(keys, previous, row.digest, row.chain):
            yield at_row(NOT_FOLLOWING)
        else:
            actual = chain.digest(content_of(row))
            if actual != row.digest:
                if redacted.get(row.seq) == actual:
                    if report is not None:
                        report.redacted += 1
                else:
                    yield at_row(CHANGED)
        previous, expected = row.chain, row.seq + 1


def _case_rows(case_ids: Iterable[int] | None = None) -> Iterator[list[_Row]]:
    from fengqiao.cases.models import CaseEvent

    rows = CaseEvent.objects.order_by("case_id", "seq")
    if case_ids is not None:
        rows = rows.filter(case_id__in=list(case_ids))
    current: list[_Row] = []
    for values in rows.values_list(*EVENT_FIELDS).iterator(chunk_size=5000):
        row = _Row(*values)
        if current and current[0].case_id != row.case_id:
            yield current
            current = []
        current.append(row)
    if current:
        yield current


def _with_codes(problems: list[Problem]) -> list[Problem]:
    from fengqiao.cases.models import Case

    codes = dict(Case.objects.filter(pk__in={p.case_id for p in problems if p.case_id}).values_list("pk", "code"))
    return [Problem(p.message, p.args, p.case_id, codes.get(p.case_id, ""), p.event_id, p.seq, p.anchor_day)
            for p in problems]


def anchor_problems(keys: Sequence[bytes], report: Report | None = None) -> Iterator[Problem]:
    from fengqiao.cases.models import CaseEvent

    previous = chain.GENESIS
    for anchor in AuditAnchor.objects.order_by("day").iterator():
        day = anchor.day.isoformat()
        if report is not None:
            report.anchors += 1
        if anchor.previous != previous:
            yield Problem(ANCHOR_ORDER, anchor_day=day)
        if not chain.seal_matches(keys, anchor_content(anchor), anchor.seal):
            yield Problem(ANCHOR_SEAL, anchor_day=day)
        previous = anchor.seal
        heads = {(h[0], h[1]): h[2] for h in anchor.heads}
        case_ids = sorted({case_id for case_id, _seq in heads})
        for start in range(0, len(case_ids), 500):
            chunk = set(case_ids[start:start + 500])
            wanted = sorted(k for k in heads if k[0] in chunk)
            found = {(c, s): (pk, h) for pk, c, s, h in CaseEvent.objects
                     .filter(case_id__in=chunk, seq__in={s for _c, s in wanted})
                     .values_list("id", "case_id", "seq", "chain")}
            for (case_id, seq) in wanted:
                if (case_id, seq) not in found:
                    yield Problem(HEAD_MISSING, case_id=case_id, seq=seq, anchor_day=day)
                elif found[(case_id, seq)][1] != heads[(case_id, seq)]:
                    yield Problem(HEAD_CHANGED, case_id=case_id, event_id=found[(case_id, seq)][0], seq=seq,
                                  anchor_day=day)
        for label, (after, upto, sealed) in sorted(anchor.logs.items()):
            if label in SEALED_LOGS and log_digest(label, after, upto) != sealed:
                yield Problem(LOG_CHANGED, {"log": label, "first": after + 1, "last": upto}, anchor_day=day)
        digest, _count = accesslog_digest(anchor.accesslog_after, anchor.accesslog_upto)
        if digest != anchor.accesslog_digest:
            yield Problem(LOG_CHANGED, {"log": "counselling.AccessLog", "first": anchor.accesslog_after + 1,
                                        "last": anchor.accesslog_upto}, anchor_day=day)


def seal_problems(anchors: Sequence[AuditAnchor], keys: Sequence[bytes]) -> list[Problem]:
    """The cheap part of the anchor check, for a page: each anchor's seal, and each one following the one before
    it (anchors in day order; the first is checked against the genesis only when it is the very first)."""
    found = []
    for i, anchor in enumerate(anchors):
        day = anchor.day.isoformat()
        expected = anchors[i - 1].seal if i else None
        if expected is None and not AuditAnchor.objects.filter(day__lt=anchor.day).exists():
            expected = chain.GENESIS
        if expected is not None and anchor.previous != expected:
            found.append(Problem(ANCHOR_ORDER, anchor_day=day))
        if not chain.seal_matches(keys, anchor_content(anchor), anchor.seal):
            found.append(Problem(ANCHOR_SEAL, anchor_day=day))
    return found


def audit_problems(report: Report | None = None, *, case_ids: Iterable[int] | None = None) -> Iterator[Problem]:
    """Every broken link: case chains first (case id order), then the anchors."""
    keys = verification_keys()
    for rows in _case_rows(case_ids):
        if report is not None:
            report.cases += 1
            report.events += len(rows)
        found = list(case_problems(rows, keys, report))
        if found:
            yield from _with_codes(found)
    if case_ids is None:
        for problem in anchor_problems(keys, report):
            yield from _with_codes([problem])


def audit_warnings(now=None) -> list[str]:
    """What is not broken but leaves a gap: a missing trigger, lines older than two days that no anchor seals."""
    from fengqiao.cases.models import CaseEvent

    now = now or timezone.now()
    warnings = [f"the append-only triggers on {table} are missing (run ./fq manage migrate)"
                for table in AUDIT_TABLES if table in connection.introspection.table_names()
                and not installed(connection, table)]
    last = AuditAnchor.objects.order_by("-day").first()
    sealed_upto = last.events_upto if last else 0
    unsealed = CaseEvent.objects.filter(id__gt=sealed_upto, at__lt=now - timedelta(days=2))
    if unsealed.exists():
        warnings.append("timeline lines older than two days are not sealed by any anchor yet: is the scheduler "
                        "running (./fq worker)? `./fq manage audit_anchor` seals them now")
    return warnings
