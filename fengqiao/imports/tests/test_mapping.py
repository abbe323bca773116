"""The column mapping: the shipped 12345 default, how headings are found, what an administrator may save."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fengqiao.accounts.tests.conftest import admin_user_verified  # noqa: F401  (fixture)
from fengqiao.imports.defaults import DEFAULT_COLUMNS, Field
from fengqiao.imports.models import ImportMapping
from fengqiao.imports.services import import_file_now

from .conftest import make_csv

pytestmark = pytest.mark.django_db


def test_the_default_12345_mapping_is_shipped_by_a_migration():
    mapping = ImportMapping.objects.get(slug="12345")  # from migration 0002, not created by the test
    assert mapping.source_system == "import:12345"
    assert mapping.district_code == "440311"
    expected = {
        "工单编号": Field.SOURCE_ID, "来电时间": Field.SUBMITTED_AT, "来电人": Field.APPLICANT_NAME,
        "联系电话": Field.PHONE, "所属街道": Field.STREET, "所属社区": Field.COMMUNITY,
        "诉求类型": Field.SERVICE_TYPE, "诉求内容": Field.DESCRIPTION, "标题": Field.TITLE,
    }
    for heading, field in expected.items():
        assert heading in mapping.columns[field]
    assert mapping.service_types["求助"] == "assistance"
    mapping.full_clean()


def test_headings_are_found_whatever_the_spacing_and_first_name_wins(mapping):
    found = mapping.resolve_columns([" 工单 编号", "来电号码", "联系电话", "诉求内容 ", "unrelated"])
    assert found == {"source_id": " 工单 编号", "phone": "联系电话", "description": "诉求内容 "}


@pytest.mark.parametrize(
    ("columns", "service_types", "message"),
    [
        ({"descripton": ["内容"]}, {}, "Unknown fields"),
        ({"title": ["标题"]}, {}, "must have a column"),
        ({"description": "诉求内容"}, {}, "list of column headings"),
        ({"description": ["诉求内容"]}, {"求助": "help"}, "must be one of"),
    ],
)
def test_a_mapping_that_cannot_work_is_refused(columns, service_types, message):
    mapping = ImportMapping(slug="bad", name="bad", columns=columns, service_types=service_types)
    with pytest.raises(ValidationError) as err:
        mapping.full_clean()
    assert message in str(err.value)


def test_a_partner_mapping_with_its_own_headings_imports(cast, categories):
    mapping = ImportMapping.objects.create(
        slug="women-line", name="妇女儿童维权热线", district_code="440311", default_service_type="legal",
        columns={"source_id": ["ticket"], "description": ["text"], "street": ["street"], "community": ["community"],
                 "phone": ["tel"]},
    )
    mapping.full_clean()
    content = make_csv(
        [{"ticket": "W-1", "text": "丈夫长期家暴，想咨询如何申请人身安全保护令。", "street": "公明街道", "community": "上村",
          "tel": "+86 139 1234 5678"}],
        headings=["ticket", "text", "street", "community", "tel"],
    )
    batch = import_file_now(mapping=mapping, name="women.csv", content=content, user=cast.op_district)
    case = batch.rows.get().case
    assert (case.source_system, case.source_id, case.service_type) == ("import:women-line", "W-1", "legal")
    assert case.region.name == "上村社区"
    assert case.parties.get().phone == "13912345678"


def test_an_administrator_edits_the_mapping_in_the_administration(client, admin_user_verified):  # noqa: F811
    mapping = ImportMapping.objects.get(slug="12345")
    url = reverse("admin:imports_importmapping_change", args=[mapping.pk])
    assert client.get(url).status_code == 200
    columns = {str(k): v for k, v in DEFAULT_COLUMNS.items()} | {"description": ["诉求内容", "问题描述"]}
    response = client.post(url, {
        "slug": mapping.slug, "name": mapping.name, "description": mapping.description,
        "district_code": mapping.district_code, "default_service_type": "complaint",
        "columns": json.dumps(columns, ensure_ascii=False),
        "service_types": json.dumps(mapping.service_types, ensure_ascii=False), "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping.refresh_from_db()
    assert mapping.columns["description"] == ["诉求内容", "问题描述"]

    bad = client.post(url, {
        "slug": mapping.slug, "name": mapping.name, "district_code": "440311", "default_service_type": "complaint",
        "columns": json.dumps({"title": ["标题"]}), "service_types": "{}", "is_active": "on",
    })
    assert bad.status_code == 200
    assert "must have a column" in bad.content.decode()
