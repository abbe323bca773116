"""Upload and preview: every row checked, each verdict with its reasons in plain words; nothing created yet."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengqiao.cases.models import Case
from fengqiao.imports.models import ImportBatch, ImportRow
from fengqiao.imports.services import batch_create, import_file_now

from .conftest import SAMPLE_CSV, SAMPLE_REJECTED, SAMPLE_ROWS, SAMPLE_XLSX, make_csv, row

pytestmark = pytest.mark.django_db


def preview(user, mapping, rows, **kw) -> ImportBatch:
    return batch_create(mapping=mapping, name="export.csv", content=make_csv(rows, **kw), user=user)


def verdicts(batch) -> dict[int, tuple[str, list[str]]]:
    return {r.number: (r.verdict, r.reasons) for r in batch.rows.all()}


def test_uploading_the_sample_shows_the_preview_and_creates_nothing(cast, mapping, categories, client_for, settings):
    client = client_for(cast.op_district)
    with SAMPLE_CSV.open("rb") as fh:
        response = client.post(reverse("imports:index"), {"mapping": mapping.pk, "file": fh})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:batch", args=[batch.pk])
    assert (batch.row_count, batch.preview_ok, batch.preview_duplicate, batch.preview_rejected) == (SAMPLE_ROWS, 18, 0, 2)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert not Case.objects.filter(source_system="import:12345").exists()
    # The file is kept under MEDIA_ROOT (outside the web root), named by its hash, not by the user's file name.
    path = Path(batch.file.path)
    assert path.is_file() and Path(settings.MEDIA_ROOT) in path.parents
    assert Path(settings.STATIC_ROOT) not in path.parents and "12345_export_sample" not in path.name

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Import 18 rows" in html
    for number, column in SAMPLE_REJECTED.items():
        assert f'data-row="{number}" data-verdict="rejected"' in html
        assert column in html
    assert "13823456781" not in html and "138****6781" in html  # phones masked on screen
    rejected = client.get(response.url, {"show": "rejected"}).content.decode()
    assert rejected.count("data-row=") == 2


def test_the_xlsx_sample_reads_like_the_csv(cast, mapping, categories):
    from_csv = batch_create(mapping=mapping, name="a.csv", content=SAMPLE_CSV.read_bytes(), user=cast.op_district)
    from_xlsx = batch_create(mapping=mapping, name="a.xlsx", content=SAMPLE_XLSX.read_bytes(), user=cast.op_district)
    assert verdicts(from_xlsx) == verdicts(from_csv)
    for a, b in zip(from_csv.rows.all(), from_xlsx.rows.all(), strict=True):
        assert a.source_id == b.source_id
        assert a.data["phone"] == b.data["phone"]  # a phone number is text, never 13823456781.0
        assert a.data["submitted_at"][:16] == b.data["submitted_at"][:16]


def test_each_problem_is_reported_in_plain_words(cast, mapping, categories):
    batch = preview(cast.op_district, mapping, [
        row(工单编号="ok"),
        row(工单编号="phone", 联系电话="12345"),
        row(工单编号="community", 所属社区="火星社区"),
        row(工单编号="street", 所属街道="火星街道"),
        row(工单编号="mismatch", 所属街道="公明街道", 所属社区="光明社区"),
        row(工单编号="empty", 诉求内容="  "),
        row(工单编号="date", 来电时间="2026-13-45 25:61"),
        row(工单编号="future", 来电时间="2099-01-01 08:00"),
        row(工单编号="people", 涉及人数="很多"),
        row(工单编号="money", 涉及金额="-50"),
        row(工单编号="noplace", 所属街道="", 所属社区=""),
        row(工单编号="several", 所属街道="", 所属社区="凤凰社区"),  # 凤凰社区 only in Guangming: fine
        row(工单编号="twice", 联系电话="abc", 诉求内容="短"),
    ])
    got = {r.source_id: r for r in batch.rows.all()}
    assert got["ok"].verdict == "ok" and got["ok"].reasons == []
    assert got["several"].verdict == "ok"
    expected = {
        "phone": ("联系电话", "is not a phone number"),
        "community": ("所属社区", "there is no community “火星社区” in 光明街道"),
        "street": ("所属街道", "there is no street “火星街道” in 光明区"),
        "mismatch": ("所属社区", "there is no community “光明社区” in 公明街道"),
        "empty": ("诉求内容", "at least 5 characters"),
        "date": ("来电时间", "“2026-13-45 25:61” is not a date and time"),
        "future": ("来电时间", "is in the future"),
        "people": ("涉及人数", "“很多” is not a number"),
        "money": ("涉及金额", "cannot be negative"),
        "noplace": ("所属街道", "No place"),
    }
    for source_id, (column, words) in expected.items():
        r = got[source_id]
        assert r.verdict == "rejected", source_id
        assert len(r.reasons) == 1, r.reasons
        assert column in r.reasons[0] and words in r.reasons[0], r.reasons
    assert len(got["twice"].reasons) == 2  # every problem of a row, not just the first
    assert batch.preview_rejected == len(expected) + 1


def test_a_row_that_repeats_an_earlier_row_or_an_imported_case_is_a_duplicate(cast, mapping, categories):
    import_file_now(mapping=mapping, name="first.csv", content=make_csv([row(工单编号="A-1")]), user=cast.op_district)
    batch = preview(cast.op_district, mapping, [row(工单编号="A-1"), row(工单编号="B-2"), row(工单编号="B-2")])
    code = Case.objects.get(source_system="import:12345", source_id="A-1").code
    assert verdicts(batch) == {
        2: ("duplicate", [f"Already imported as case {code}."]),
        3: ("ok", []),
        4: ("duplicate", ["Same work order as row 3 of this file."]),
    }


def test_rows_without_a_work_order_number_get_a_stable_hash(cast, mapping):
    rows = [row(工单编号="", 诉求内容="第一件事情说明一下"), row(工单编号="", 诉求内容="第二件事情说明一下")]
    first, second = preview(cast.op_district, mapping, rows), preview(cast.op_district, mapping, rows)
    ids = [r.source_id for r in first.rows.all()]
    assert all(i.startswith("h:") for i in ids) and len(set(ids)) == 2
    assert ids == [r.source_id for r in second.rows.all()]


def test_types_and_categories_are_understood(cast, mapping, categories):
    batch = preview(cast.op_district, mapping, [
        row(工单编号="1", 诉求类型="求助", 诉求分类="帮扶救助/困难救助"),
        row(工单编号="2", 诉求类型="劳资纠纷", 诉求分类=""),  # a category in the type column
        row(工单编号="3", 诉求类型="奇怪类型", 诉求分类="不存在的分类"),
    ])
    notes = {r.source_id: r.notes for r in batch.rows.all()}
    assert notes["1"] == [] and notes["2"] == []
    assert any("不存在的分类" in n for n in notes["3"]) and any("奇怪类型" in n for n in notes["3"])
    assert batch.preview_ok == 3


def test_a_gbk_csv_from_an_old_system_is_read(cast, mapping):
    batch = preview(cast.op_district, mapping, [row()], encoding="gb18030")
    assert batch.rows.get().data["street"] == "光明街道"


def test_a_community_operator_may_only_import_for_their_community(cast, mapping):
    batch = preview(cast.op_community, mapping, [row(工单编号="here"), row(工单编号="there", 所属街道="马田街道", 所属社区="将围社区")])
    assert verdicts(batch)[2] == ("ok", [])
    assert verdicts(batch)[3] == ("rejected", ["将围社区 is outside the area you take in demands for."])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "Upload a CSV or an Excel"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a valid Excel"),
        ("fake.xlsx", b"just text", "not a valid Excel"),
        ("empty.csv", b"", "The file is empty"),
        ("heading-only.csv", "工单编号,诉求内容\n".encode(), "no data rows"),
        ("no-description.csv", "工单编号,标题\n1,路灯\n".encode(), "no column for"),
    ],
)
def test_an_unusable_file_is_refused_with_a_reason(cast, mapping, client_for, name, content, message):
    with pytest.raises(ValidationError) as err:
        batch_create(mapping=mapping, name=name, content=content, user=cast.op_district)
    assert message in str(err.value)
    response = client_for(cast.op_district).post(
        reverse("imports:index"), {"mapping": mapping.pk, "file": SimpleUploadedFile(name, content or b" ")}
    )
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_too_many_rows_are_refused(cast, mapping, settings):
    settings.FQ_IMPORT_MAX_ROWS = 3
    with pytest.raises(ValidationError, match="more than 3 rows"):
        preview(cast.op_district, mapping, [row(工单编号=str(i)) for i in range(4)])


def test_blank_lines_keep_the_row_numbers_of_the_file(cast, mapping):
    content = make_csv([row(工单编号="x")]) + b"\n\n" + make_csv([row(工单编号="y")]).split(b"\n", 1)[1]
    batch = batch_create(mapping=mapping, name="gaps.csv", content=content, user=cast.op_district)
    assert [(r.number, r.source_id) for r in batch.rows.all()] == [(2, "x"), (5, "y")]


def test_xlsx_upload_through_the_page(cast, mapping, client_for):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["工单编号", "所属街道", "所属社区", "诉求内容", "联系电话"])
    book.active.append(["X-1", "光明街道", "光明社区", "门口下水道堵塞，污水漫到路面上。", 13912345678])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client_for(cast.op_district).post(
        reverse("imports:index"), {"mapping": mapping.pk, "file": SimpleUploadedFile("x.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 302
    r = ImportRow.objects.get()
    assert (r.verdict, r.data["phone"]) == ("ok", "13912345678")
