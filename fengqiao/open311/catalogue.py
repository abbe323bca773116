"""Our services in GeoReport terms: every leaf of the category catalogue is a service, with four attributes.

Attributes (the service definition; all optional):
- community (singlevaluelist): the community the request is about, by its statistical code. Places a
  request sent with an address only; see docs/open311.md.
- service_type (singlevaluelist): which of the five services; defaults to the category's own.
- people_count (number): people involved (1 if not given).
- amount (number): money involved, in yuan.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fengqiao.cases.models import Category, ServiceType
from fengqiao.intake.validation import MAX_PEOPLE_COUNT
from fengqiao.org.models import Region, RegionLevel

ATTRIBUTE_CODES = ("community", "service_type", "people_count", "amount")


def leaf_categories() -> QuerySet[Category]:
    return Category.objects.filter(children__isnull=True).select_related("parent").order_by("code")


def leaf_by_code(code: str) -> Category | None:
    return leaf_categories().filter(code=code.strip()).first()


def service_out(category: Category) -> dict:
    group = category.parent.name if category.parent_id else category.name
    label = str(ServiceType(category.default_service_type).label)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{group} → {category.name}" if category.parent_id else category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(dict.fromkeys([group, category.name, label])),
        "group": group,
    }


def communities(jurisdiction: Region | None) -> list[Region]:
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY).select_related("parent", "parent__parent")
    if jurisdiction is not None:
        qs = qs.filter(path__startswith=jurisdiction.path)
    return list(qs.order_by("code"))


def _community_name(region: Region, with_district: bool) -> str:
    street = region.parent
    parts = [street.parent.name if with_district and street and street.parent else "", street.name if street else "",
             region.name]
    return " ".join(p for p in parts if p)


def attributes(category: Category, jurisdiction: Region | None) -> list[dict]:
    return [
        {
            "variable": True,
            "code": "community",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("The statistical code of the community (12 digits)."),
            "order": 1,
            "description": _("Which community is this about? Needed to route a request sent with an address only; "
                             "without it such a request goes to the district centre."),
            "values": [{"key": r.code, "name": _community_name(r, jurisdiction is None)}
                       for r in communities(jurisdiction)],
        },
        {
            "variable": True,
            "code": "service_type",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("One of the keys listed."),
            "order": 2,
            "description": _("Which service is asked for? Defaults to “%(default)s” for this category.") % {
                "default": ServiceType(category.default_service_type).label},
            "values": [{"key": value, "name": str(label)} for value, label in ServiceType.choices],
        },
        {
            "variable": True,
            "code": "people_count",
            "datatype": "number",
            "required": False,
            "datatype_description": _("A whole number from 1 to %(max)d.") % {"max": MAX_PEOPLE_COUNT},
            "order": 3,
            "description": _("How many people are involved?"),
        },
        {
            "variable": True,
            "code": "amount",
            "datatype": "number",
            "required": False,
            "datatype_description": _("Yuan, e.g. 36000 or 1250.50."),
            "order": 4,
            "description": _("How much money is involved (unpaid wages, a deposit, a prepaid card …)?"),
        },
    ]


def definition_out(category: Category, jurisdiction: Region | None) -> dict:
    return {"service_code": category.code, "attributes": attributes(category, jurisdiction)}
