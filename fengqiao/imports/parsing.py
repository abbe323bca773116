"""Reading an export into headings and rows: CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030) and XLSX.

Plain functions over bytes; they raise ValidationError with a message an operator understands.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXTENSIONS = (".csv", ".xlsx")


@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[tuple[int, list]]  # (row number in the file, cells aligned with the headings)


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious “.0” (phone numbers typed as numbers), times in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return str(value).strip()


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not readable text: save it as CSV in UTF-8 or as an Excel (.xlsx) file."))


def _read_csv(content: bytes) -> list[list]:
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(record) for record in csv.reader(io.StringIO(text, newline=""), dialect)]


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("The file is not a valid Excel (.xlsx) workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(name: str, content: bytes, *, max_rows: int) -> Table:
    """The first non-empty row is the heading; blank rows are skipped but keep their numbers."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise ValidationError(_("The file is not a valid Excel (.xlsx) workbook."))
        records = _read_xlsx(content)
    elif lower.endswith(".csv"):
        records = _read_csv(content)
    else:
        raise ValidationError(_("Upload a CSV or an Excel (.xlsx) file."))
    headings: list[str] | None = None
    rows: list[tuple[int, list]] = []
    for number, record in enumerate(records, start=1):
        if not any(cell_text(c) for c in record):
            continue
        if headings is None:
            headings = [cell_text(c) for c in record]
            continue
        cells = list(record[: len(headings)]) + [None] * max(0, len(headings) - len(record))
        rows.append((number, cells))
        if len(rows) > max_rows:
            raise ValidationError(
                _("The file has more than %(n)d rows. Split it into smaller files.") % {"n": max_rows}
            )
    if headings is None:
        raise ValidationError(_("The file is empty."))
    if not rows:
        raise ValidationError(_("The file has a heading row but no data rows."))
    return Table(headings=headings, rows=rows)
