"""Bulk import of hotline and partner exports: the column mapping, each upload (batch) and each row's outcome.

A batch and its rows are stored before anything is imported, so the work survives a
restart of the worker and resumes with the rows still pending (fengqiao.imports.services).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import ServiceType
from fengqiao.imports.defaults import REQUIRED_FIELDS, Field
from fengqiao.org.access import Capability, scope_for


def normalise_heading(text: str) -> str:
    return "".join(str(text or "").split()).lower()


class ImportMapping(models.Model):
    """How the columns of one kind of export map onto a case (editable in the administration)."""

    slug = models.SlugField(
        _("short name"),
        max_length=32,
        unique=True,
        help_text=_("Part of the source system of every imported case (import:<short name>); do not change it once used."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    district_code = models.CharField(
        _("district code"), max_length=20, default="440311",
        help_text=_("Streets and communities named in the file are looked up in this district."),
    )
    default_service_type = models.CharField(
        _("default service type"), max_length=16, choices=ServiceType.choices, default=ServiceType.COMPLAINT
    )
    columns = models.JSONField(
        _("columns"),
        default=dict,
        help_text=_("For each field, the column headings that may carry it, e.g. {\"description\": [\"诉求内容\"]}."),
    )
    service_types = models.JSONField(
        _("service type values"),
        default=dict,
        blank=True,
        help_text=_("Values of the type column and the service each means, e.g. {\"求助\": \"assistance\"}."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def source_system(self) -> str:
        return f"import:{self.slug}"

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.columns, dict):
            errors["columns"] = _("Give an object: field → list of column headings.")
        else:
            unknown = sorted(set(self.columns) - set(Field.values))
            if unknown:
                errors["columns"] = _("Unknown fields: %(fields)s. Known fields: %(known)s.") % {
                    "fields": ", ".join(unknown), "known": ", ".join(Field.values)}
            elif any(not isinstance(v, list) or not all(isinstance(h, str) for h in v) for v in self.columns.values()):
                errors["columns"] = _("Each field needs a list of column headings.")
            missing = [f for f in REQUIRED_FIELDS if not self.columns.get(f)]
            if missing and "columns" not in errors:
                errors["columns"] = _("These fields must have a column: %(fields)s.") % {"fields": ", ".join(missing)}
        if not isinstance(self.service_types, dict) or any(v not in ServiceType.values for v in self.service_types.values()):
            errors["service_types"] = _("Each value must be one of: %(known)s.") % {"known": ", ".join(ServiceType.values)}
        if errors:
            raise ValidationError(errors)

    def resolve_columns(self, headings: list[str]) -> dict[str, str]:
        """field -> the heading of the file that carries it (the first of the field's names that is present)."""
        present = {normalise_heading(h): h for h in headings if str(h or "").strip()}
        found = {}
        for field, names in self.columns.items():
            for name in names:
                heading = present.get(normalise_heading(name))
                if heading is not None:
                    found[field] = heading
                    break
        return found


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> BatchQuerySet:
        """Batches the user uploaded, or uploaded in a unit where the user takes in demands."""
        scope = scope_for(user)
        if scope.user_id is None:
            return self.none()
        unit_ids = frozenset().union(*(g.unit_ids for g in scope.grants if Capability.CASE_INTAKE in g.capabilities))
        return self.filter(Q(uploaded_by_id=scope.user_id) | Q(unit_id__in=unit_ids))


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Checked, not imported yet")
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")

    mapping = models.ForeignKey(ImportMapping, verbose_name=_("mapping"), on_delete=models.PROTECT, related_name="batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    columns = models.JSONField(default=dict, help_text="field -> the heading of the file that carried it")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PREVIEWED)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    preview_ok = models.PositiveIntegerField(_("rows that can be imported"), default=0)
    preview_duplicate = models.PositiveIntegerField(_("duplicates found"), default=0)
    preview_rejected = models.PositiveIntegerField(_("rows to reject"), default=0)
    created_count = models.PositiveIntegerField(_("cases created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    rejected_count = models.PositiveIntegerField(_("rows rejected"), default=0)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["previewed", "queued", "running", "done"]),
                                   name="importbatch_status_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def is_stalled(self, now=None) -> bool:
        """Queued or running, but the worker has not reported for a while (it was stopped or crashed)."""
        if not self.is_active:
            return False
        last = self.heartbeat_at or self.queued_at or self.created_at
        stall = timedelta(seconds=settings.FQ_IMPORT_STALL_SECONDS)
        return last is not None and (now or timezone.now()) - last > stall


class ImportRow(models.Model):
    class Verdict(models.TextChoices):
        OK = "ok", _("OK")
        DUPLICATE = "duplicate", _("Duplicate")
        REJECTED = "rejected", _("Rejected")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not imported yet")
        CREATED = "created", _("Case created")
        DUPLICATE = "duplicate", _("Duplicate, skipped")
        REJECTED = "rejected", _("Rejected")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"), help_text=_("Row number in the file (the heading is row 1)."))
    data = models.JSONField(default=dict)
    source_id = models.CharField(max_length=64)
    verdict = models.CharField(_("check"), max_length=10, choices=Verdict.choices)
    reasons = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="importrow_unique_number")]
        indexes = [models.Index(fields=["batch", "outcome", "number"], name="importrow_batch_outcome")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"
