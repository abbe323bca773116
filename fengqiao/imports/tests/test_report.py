"""The report of a batch, downloadable as CSV and XLSX: every row's outcome with its reasons, no personal data."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fengqiao.cases.models import Case
from fengqiao.imports.services import batch_create, import_file_now

from .conftest import SAMPLE_CSV, make_csv, row

pytestmark = pytest.mark.django_db

HEADINGS = ["Row", "Work-order number", "Outcome", "Case code", "Reasons", "Notes"]


@pytest.fixture
def finished(cast, mapping, categories):
    import_file_now(mapping=mapping, name="first.csv", content=make_csv([row(工单编号="SZ12345-2026111800101")]),
                    user=cast.op_district)
    return import_file_now(mapping=mapping, name="sample.csv", content=SAMPLE_CSV.read_bytes(), user=cast.op_district)


def by_row(lines: list[list]) -> dict[int, list]:
    return {int(line[0]): [("" if v is None else str(v)) for v in line] for line in lines}


def check(lines: list[list]) -> None:
    assert [str(h) for h in lines[0]] == HEADINGS
    rows = by_row(lines[1:])
    assert len(rows) == 20
    outcomes = [r[2] for r in rows.values()]
    assert outcomes.count("Case created") == 17
    assert outcomes.count("Duplicate, skipped") == 1
    assert outcomes.count("Rejected") == 2
    earlier = Case.objects.get(source_id="SZ12345-2026111800101").code
    assert rows[2][1:5] == ["SZ12345-2026111800101", "Duplicate, skipped", earlier, f"Already imported as case {earlier}."]
    created = Case.objects.get(source_id="SZ12345-2026111800117").code
    assert rows[3][1:4] == ["SZ12345-2026111800117", "Case created", created]
    assert rows[19][2] == "Rejected" and "联系电话" in rows[19][4] and "not a phone number" in rows[19][4]
    assert rows[20][2] == "Rejected" and "所属社区" in rows[20][4] and "光明新村社区" in rows[20][4]
    flat = " ".join(" ".join(r) for r in rows.values())
    assert "13612345670" not in flat and "刘女士" not in flat  # the report carries no personal data


def test_csv_report(finished, cast, client_for):
    response = client_for(cast.op_district).get(reverse("imports:report", args=[finished.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="import-{finished.pk}-report.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel opens the Chinese text right
    check(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))))


def test_xlsx_report(finished, cast, client_for):
    response = client_for(cast.op_district).get(reverse("imports:report", args=[finished.pk, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    check([list(line) for line in sheet.iter_rows(values_only=True)])


def test_before_the_import_the_report_lists_the_preview_verdicts(cast, mapping, client_for):
    batch = batch_create(mapping=mapping, name="a.csv", content=make_csv([row(), row(工单编号="2", 联系电话="1")]),
                         user=cast.op_district)
    content = client_for(cast.op_district).get(reverse("imports:report", args=[batch.pk, "csv"])).content
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    assert [line[2] for line in lines] == ["Not imported yet (OK)", "Not imported yet (Rejected)"]
    assert "联系电话" in lines[1][4]


def test_an_unknown_report_format_is_404(finished, cast, client_for):
    assert client_for(cast.op_district).get(reverse("imports:report", args=[finished.pk, "pdf"])).status_code == 404
