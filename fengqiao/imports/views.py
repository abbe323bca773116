"""Bulk import pages for operators: upload → preview → import in the background → report (thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.admin_site import add_service_errors
from fengqiao.imports import services
from fengqiao.imports.forms import UploadForm
from fengqiao.imports.models import ImportBatch, ImportRow
from fengqiao.imports.reports import report_csv, report_xlsx
from fengqiao.org.access import Capability, may

PREVIEW_ROWS = 500
SHOW = ("all", *ImportRow.Verdict.values)


def _require_intake(request: HttpRequest) -> None:
    if not may(request.user, Capability.CASE_INTAKE):
        raise PermissionDenied(_("Only staff who take in demands may import them."))


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    _require_intake(request)
    batch = ImportBatch.objects.visible_to(request.user).select_related("mapping", "uploaded_by").filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_intake(request)
    services.mapping_default()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.batch_create(
                mapping=form.cleaned_data["mapping"], name=upload.name or "import", content=upload.read(),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("imports:batch", pk=batch.pk)
    batches = ImportBatch.objects.visible_to(request.user).select_related("mapping", "uploaded_by")[:20]
    return render(request, "imports/index.html", {"form": form, "batches": batches},
                  status=400 if form.errors else 200)


def _progress_context(batch: ImportBatch) -> dict:
    return {"batch": batch, "progress": services.batch_progress(batch), "stalled": batch.is_stalled(timezone.now())}


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    rows = batch.rows.select_related("case").order_by("number")
    if show != "all":
        rows = rows.filter(verdict=show)
    context = _progress_context(batch) | {
        "rows": rows[:PREVIEW_ROWS],
        "show": show,
        "shown_limit": PREVIEW_ROWS,
        "filters": [("all", _("All rows"), batch.row_count),
                    ("ok", _("OK"), batch.preview_ok),
                    ("duplicate", _("Duplicates"), batch.preview_duplicate),
                    ("rejected", _("Rejected"), batch.preview_rejected)],
        "field_headings": batch.columns,
    }
    return render(request, "imports/batch.html", context)


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone (htmx polls it every two seconds while the import runs)."""
    batch = _batch(request, pk)
    return render(request, "imports/batch.html#progress", _progress_context(batch))


@login_required
@require_POST
def batch_start(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        services.batch_start(batch=batch, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The import has started. You can leave this page; it continues in the background."))
    return redirect("imports:batch", pk=batch.pk)


@login_required
@require_POST
def batch_resume(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if services.batch_resume(batch=batch, user=request.user):
        messages.success(request, _("The import continues with the rows not yet imported."))
    else:
        messages.info(request, _("The import is still running; nothing to resume."))
    return redirect("imports:batch", pk=batch.pk)


@login_required
def batch_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = _batch(request, pk)
    if fmt == "csv":
        response = HttpResponse(report_csv(batch), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            report_xlsx(batch), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-report.{fmt}"'
    return response
