"""The write path of bulk import: upload and check (preview), start, run row by row, resume.

Each row is imported in its own transaction together with the record of its outcome, so a
worker that dies mid-batch leaves every row either done (with its case) or still pending;
running the batch again picks up the pending rows only. Cases are created by
`fengqiao.cases.services.case_submit` with source_system "import:<mapping>" and the row's
source id, so a re-imported file creates nothing new.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, Channel, Party
from fengqiao.cases.services import PartyInput, case_submit
from fengqiao.imports.checks import Catalogue, Context, Places, check_row, row_source_id
from fengqiao.imports.defaults import DEFAULT_MAPPING, REQUIRED_FIELDS, Field
from fengqiao.imports.models import ImportBatch, ImportMapping, ImportRow
from fengqiao.imports.parsing import cell_text, read_table
from fengqiao.org.access import Capability, scope_for
from fengqiao.org.models import OrgUnit

logger = logging.getLogger(__name__)

Status = ImportBatch.Status
Outcome = ImportRow.Outcome
Verdict = ImportRow.Verdict


def max_rows() -> int:
    return settings.FQ_IMPORT_MAX_ROWS


def mapping_default() -> ImportMapping:
    """The shipped 12345 mapping (created by migration 0002; recreated here if someone deleted it)."""
    mapping, _created = ImportMapping.objects.get_or_create(
        slug=DEFAULT_MAPPING["slug"], defaults={k: v for k, v in DEFAULT_MAPPING.items() if k != "slug"}
    )
    return mapping


@dataclass(frozen=True)
class IntakeRight:
    unit: OrgUnit
    region_ids: frozenset[int]


def intake_right(user) -> IntakeRight:
    """Where `user` may take in demands; PermissionDenied for anyone without the intake capability."""
    grants = [g for g in scope_for(user).grants if Capability.CASE_INTAKE in g.capabilities]
    if not grants:
        raise PermissionDenied(_("Only staff who take in demands may import them."))
    return IntakeRight(
        unit=OrgUnit.objects.get(pk=grants[0].unit_id),
        region_ids=frozenset().union(*(g.region_ids for g in grants)),
    )


def _context(mapping: ImportMapping, headings: dict[str, str], right: IntakeRight) -> Context:
    return Context(
        headings=headings,
        service_types=mapping.service_types or {},
        default_service_type=mapping.default_service_type,
        places=Places(mapping.district_code),
        catalogue=Catalogue(),
        allowed_region_ids=right.region_ids,
        now=timezone.now(),
    )


def _existing_codes(source_system: str, source_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(source_ids), 500):
        chunk = source_ids[start : start + 500]
        found.update(Case.objects.filter(source_system=source_system, source_id__in=chunk).values_list("source_id", "code"))
    return found


# --- upload and preview -------------------------------------------------------------------


@transaction.atomic
def batch_create(*, mapping: ImportMapping, name: str, content: bytes, user) -> ImportBatch:
    """Read and check an uploaded export; store the file, the batch and every row with its verdict."""
    right = intake_right(user)
    if not mapping.is_active:
        raise ValidationError({"mapping": _("This mapping is switched off.")})
    limit = settings.FQ_MAX_UPLOAD_MB * 1024 * 1024
    if len(content) > limit:
        raise ValidationError({"file": _("The file is larger than %(n)d MB.") % {"n": settings.FQ_MAX_UPLOAD_MB}})
    try:
        table = read_table(name, content, max_rows=max_rows())
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    columns = mapping.resolve_columns(table.headings)
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise ValidationError({"file": [
            _("The file has no column for “%(field)s”: expected a heading called %(names)s.") % {
                "field": Field(f).label, "names": " / ".join(mapping.columns.get(f, []))}
            for f in missing
        ]})
    digest = hashlib.sha256(content).hexdigest()
    batch = ImportBatch(
        mapping=mapping,
        uploaded_by=user,
        unit=right.unit,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        original_name=PurePath(name).name[-200:] or "import",
        sha256=digest,
        columns=columns,
        row_count=len(table.rows),
    )
    batch.file.save(f"import-{digest[:16]}{PurePath(name).suffix.lower()}", ContentFile(content), save=False)
    batch.save()

    index = {f: table.headings.index(h) for f, h in columns.items()}
    ctx = _context(mapping, columns, right)
    prepared = []
    for number, cells in table.rows:
        values = {f: cell_text(cells[i]) for f, i in index.items()}
        prepared.append((number, values, row_source_id(values)))
    existing = _existing_codes(mapping.source_system, [sid for _n, _v, sid in prepared])
    rows = []
    for number, values, source_id in prepared:
        check = check_row(number, values, ctx)
        if check.reasons:
            verdict, reasons = Verdict.REJECTED, check.reasons
        elif source_id in existing:
            verdict = Verdict.DUPLICATE
            reasons = [_("Already imported as case %(code)s.") % {"code": existing[source_id]}]
        elif source_id in ctx.seen:
            verdict = Verdict.DUPLICATE
            reasons = [_("Same work order as row %(n)d of this file.") % {"n": ctx.seen[source_id]}]
        else:
            verdict, reasons = Verdict.OK, []
            ctx.seen[source_id] = number
        rows.append(ImportRow(batch=batch, number=number, data=values, source_id=source_id, verdict=verdict,
                              reasons=reasons, notes=check.notes))
    ImportRow.objects.bulk_create(rows, batch_size=500)
    batch.preview_ok = sum(r.verdict == Verdict.OK for r in rows)
    batch.preview_duplicate = sum(r.verdict == Verdict.DUPLICATE for r in rows)
    batch.preview_rejected = sum(r.verdict == Verdict.REJECTED for r in rows)
    batch.save(update_fields=["preview_ok", "preview_duplicate", "preview_rejected"])
    return batch


# --- running ------------------------------------------------------------------------------


def _enqueue(batch_id: int) -> None:
    from fengqiao.imports.tasks import run_import

    result = run_import.enqueue(batch_id)
    ImportBatch.objects.filter(pk=batch_id).update(task_id=str(result.id)[:64])


@transaction.atomic
def batch_start(*, batch: ImportBatch, user, enqueue: bool = True) -> ImportBatch:
    """Queue a checked batch for the worker (once: a second click changes nothing)."""
    intake_right(user)
    now = timezone.now()
    started = ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEWED).update(
        status=Status.QUEUED, queued_at=now, heartbeat_at=None
    )
    if not started:
        raise ValidationError(_("This import has already been started."))
    batch.refresh_from_db()
    if enqueue:
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def batch_resume(*, batch: ImportBatch, user) -> bool:
    """Queue a stalled batch again (its worker stopped); rows already done stay done."""
    intake_right(user)
    return _requeue(batch)


def _requeue(batch: ImportBatch) -> bool:
    if not batch.is_stalled():
        return False
    ImportBatch.objects.filter(pk=batch.pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
        queued_at=timezone.now(), heartbeat_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return True


def resume_stalled() -> list[int]:
    """Queue again every batch whose worker stopped (run by `manage.py imports_resume`)."""
    resumed = []
    for batch in ImportBatch.objects.filter(status__in=[Status.QUEUED, Status.RUNNING]):
        if _requeue(batch):
            resumed.append(batch.pk)
    return resumed


def batch_run(*, batch_id: int) -> dict[str, int]:
    """Import the pending rows of a queued or running batch, one transaction per row."""
    now = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.RUNNING, heartbeat_at=now
    )
    batch = ImportBatch.objects.select_related("mapping", "uploaded_by").get(pk=batch_id)
    if not claimed:
        return batch_counts(batch)
    if batch.started_at is None:
        ImportBatch.objects.filter(pk=batch_id, started_at__isnull=True).update(started_at=now)
    with translation.override(batch.language):
        try:
            right = intake_right(batch.uploaded_by)
        except PermissionDenied:
            right = None
        ctx = _context(batch.mapping, batch.columns, right) if right is not None else None
        pending = list(batch.rows.filter(outcome=Outcome.PENDING).order_by("number").values_list("pk", flat=True))
        for row_id in pending:
            _row_import(row_id=row_id, batch=batch, ctx=ctx)
            ImportBatch.objects.filter(pk=batch_id).update(heartbeat_at=timezone.now())
    return _finish(batch)


def _row_import(*, row_id: int, batch: ImportBatch, ctx: Context | None) -> None:
    with transaction.atomic():
        row = ImportRow.objects.select_for_update().filter(pk=row_id, outcome=Outcome.PENDING).first()
        if row is None:  # done by another run meanwhile
            return
        row.processed_at = timezone.now()
        row.case = None
        if ctx is None:
            row.outcome, row.reasons = Outcome.REJECTED, [
                _("The person who uploaded the file may no longer take in demands.")]
            row.save(update_fields=["outcome", "reasons", "case", "processed_at"])
            return
        check = check_row(row.number, row.data, ctx)
        row.notes = check.notes
        plan = check.plan
        if check.reasons or plan is None:  # a row with no reasons always has a plan
            row.outcome, row.reasons = Outcome.REJECTED, check.reasons
        else:
            source_system = batch.mapping.source_system
            existing = Case.objects.filter(source_system=source_system, source_id=plan.source_id).first()
            if existing is None:
                try:
                    with transaction.atomic():
                        case = case_submit(
                            channel=Channel.IMPORT,
                            service_type=plan.service_type,
                            category=plan.category,
                            title=plan.title,
                            description=plan.description,
                            region=plan.region,
                            address=plan.address,
                            latitude=plan.latitude,
                            longitude=plan.longitude,
                            people_count=plan.people_count,
                            amount=plan.amount,
                            parties=_parties(plan),
                            is_anonymous=not (plan.applicant_name or plan.phone),
                            reporter=batch.uploaded_by,
                            source_system=source_system,
                            source_id=plan.source_id,
                            submitted_at=plan.submitted_at or batch.created_at,
                        )
                except ValidationError as exc:
                    row.outcome, row.reasons = Outcome.REJECTED, exc.messages
                except IntegrityError:  # imported a moment ago by a concurrent run
                    existing = Case.objects.filter(source_system=source_system, source_id=plan.source_id).first()
                    if existing is None:
                        raise
                else:
                    row.outcome, row.reasons, row.case = Outcome.CREATED, [], case
            if existing is not None:
                row.outcome, row.case = Outcome.DUPLICATE, existing
                row.reasons = [_("Already imported as case %(code)s.") % {"code": existing.code}]
        row.save(update_fields=["outcome", "reasons", "notes", "case", "processed_at"])


def _parties(plan) -> list[PartyInput]:
    if not (plan.applicant_name or plan.phone):
        return []
    return [PartyInput(role=Party.PartyRole.APPLICANT, name=plan.applicant_name or _("Caller (name not given)"),
                       phone=plan.phone)]


def batch_counts(batch: ImportBatch) -> dict[str, int]:
    counts = dict(batch.rows.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
    return {outcome: counts.get(outcome, 0) for outcome in Outcome.values}


def _finish(batch: ImportBatch) -> dict[str, int]:
    counts = batch_counts(batch)
    fields = {
        "created_count": counts[Outcome.CREATED],
        "duplicate_count": counts[Outcome.DUPLICATE],
        "rejected_count": counts[Outcome.REJECTED],
        "heartbeat_at": timezone.now(),
    }
    if counts[Outcome.PENDING] == 0:
        fields.update(status=Status.DONE, finished_at=timezone.now())
    ImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(**fields)
    return counts


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    created: int
    duplicate: int
    rejected: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def batch_progress(batch: ImportBatch) -> Progress:
    counts = batch_counts(batch)
    return Progress(
        total=batch.row_count,
        done=batch.row_count - counts[Outcome.PENDING],
        created=counts[Outcome.CREATED],
        duplicate=counts[Outcome.DUPLICATE],
        rejected=counts[Outcome.REJECTED],
    )


def import_file_now(*, mapping: ImportMapping, name: str, content: bytes, user) -> ImportBatch:
    """Check and import a file in this process (the demo seeder; tests). The web uses the worker."""
    batch = batch_create(mapping=mapping, name=name, content=content, user=user)
    batch_start(batch=batch, user=user, enqueue=False)
    batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch
