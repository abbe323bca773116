"""The per-row report of a batch (created / duplicate skipped / rejected, with reasons) as CSV and XLSX.

No personal data: the row number and the work-order number are enough to find the row in the file; a reason
or note that quotes a phone or ID number has it masked (core.masking).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from fengqiao.core.masking import mask_text
from fengqiao.imports.models import ImportBatch, ImportRow


def report_headings() -> list[str]:
    return [_("Row"), _("Work-order number"), _("Outcome"), _("Case code"), _("Reasons"), _("Notes")]


def report_lines(batch: ImportBatch) -> Iterator[list]:
    outcome_label = dict(ImportRow.Outcome.choices)
    verdict_label = dict(ImportRow.Verdict.choices)
    rows = batch.rows.select_related("case").order_by("number")
    for row in rows.iterator(chunk_size=1000):
        if row.outcome == ImportRow.Outcome.PENDING:
            outcome = f"{outcome_label[row.outcome]} ({verdict_label[row.verdict]})"
        else:
            outcome = str(outcome_label[row.outcome])
        source_id = "" if row.source_id.startswith("h:") else row.source_id
        yield [row.number, source_id, outcome, row.case.code if row.case else "", mask_text("；".join(row.reasons)),
               mask_text("；".join(row.notes))]


def report_csv(batch: ImportBatch) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report_headings())
    writer.writerows(report_lines(batch))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the Chinese text right


def report_xlsx(batch: ImportBatch) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Import report")[:31]
    sheet.append(report_headings())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in report_lines(batch):
        sheet.append(line)
    for column, width in zip("ABCDEF", (8, 22, 22, 20, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
