"""The fields an import can fill, and the shipped mapping for a 12345 hotline work-order export.

Plain data: migration 0002 copies DEFAULT_MAPPING into the editable ImportMapping table, and
`fengqiao.imports.services.mapping_default()` recreates it when it is missing. docs/imports.md
documents every column.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    """What a column of the file can fill on the case."""

    SOURCE_ID = "source_id", _("Work-order number in the source system")
    SUBMITTED_AT = "submitted_at", _("Time the demand came in")
    APPLICANT_NAME = "applicant_name", _("Caller's name")
    PHONE = "phone", _("Caller's phone")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    SERVICE_TYPE = "service_type", _("Type of demand")
    CATEGORY = "category", _("Category")
    TITLE = "title", _("Title")
    DESCRIPTION = "description", _("What the caller said")
    ADDRESS = "address", _("Address")
    PEOPLE_COUNT = "people_count", _("People involved")
    AMOUNT = "amount", _("Money involved (yuan)")
    LATITUDE = "latitude", _("Latitude (WGS84)")
    LONGITUDE = "longitude", _("Longitude (WGS84)")


REQUIRED_FIELDS = frozenset({Field.DESCRIPTION})

# field -> the column headings that may carry it, first match wins (headings compare without spaces).
DEFAULT_COLUMNS: dict[str, list[str]] = {
    Field.SOURCE_ID: ["工单编号", "工单号", "受理编号"],
    Field.SUBMITTED_AT: ["来电时间", "受理时间", "登记时间"],
    Field.APPLICANT_NAME: ["来电人", "诉求人", "来电人姓名"],
    Field.PHONE: ["联系电话", "来电号码", "联系方式"],
    Field.STREET: ["所属街道", "街道"],
    Field.COMMUNITY: ["所属社区", "社区"],
    Field.SERVICE_TYPE: ["诉求类型", "服务类型"],
    Field.CATEGORY: ["诉求分类", "问题分类", "事项分类"],
    Field.TITLE: ["标题", "诉求标题", "工单标题"],
    Field.DESCRIPTION: ["诉求内容", "来电内容", "工单内容"],
    Field.ADDRESS: ["事发地址", "详细地址", "地址"],
    Field.PEOPLE_COUNT: ["涉及人数"],
    Field.AMOUNT: ["涉及金额", "涉及金额（元）"],
    Field.LATITUDE: ["纬度"],
    Field.LONGITUDE: ["经度"],
}

# The values a 12345 export writes in 诉求类型, and the service (五大服务) each means.
DEFAULT_SERVICE_TYPES: dict[str, str] = {
    "纠纷调解": "mediation",
    "矛盾纠纷": "mediation",
    "纠纷": "mediation",
    "调解": "mediation",
    "法律服务": "legal",
    "法律咨询": "legal",
    "法律援助": "legal",
    "心理服务": "psychological",
    "心理咨询": "psychological",
    "心理疏导": "psychological",
    "帮扶救助": "assistance",
    "求助": "assistance",
    "救助": "assistance",
    "投诉建议": "complaint",
    "投诉": "complaint",
    "建议": "complaint",
    "举报": "complaint",
    "咨询": "complaint",
    "表扬": "complaint",
}

DEFAULT_MAPPING = {
    "slug": "12345",
    "name": "12345热线工单导出",
    "description": "深圳市12345热线（市民诉求服务平台）工单导出的默认列映射，CSV（UTF-8 或 GBK）或 XLSX。",
    "district_code": "440311",
    "default_service_type": "complaint",
    "columns": {str(k): v for k, v in DEFAULT_COLUMNS.items()},
    "service_types": DEFAULT_SERVICE_TYPES,
}
