"""Checking one row of an export before it becomes a case: every problem in plain words.

`check_row` turns the mapped text of a row into a RowPlan (what case_submit will get) or a
list of reasons to reject it. The same check runs for the preview and again at import time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.models import Category, ServiceType
from fengqiao.cases.titles import TITLE_MAX, shorten
from fengqiao.imports.defaults import Field
from fengqiao.intake.validation import clean_coordinates, clean_description, clean_phone, region_for_point
from fengqiao.org.models import Region, RegionLevel

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日",
    "%Y%m%d%H%M%S",
)
EARLIEST = datetime(2000, 1, 1)
CATEGORY_SEPARATORS = re.compile(r"\s*(?:/|／|\\|→|>|＞|-|—|·)\s*")


@dataclass
class RowPlan:
    source_id: str
    region: Region
    service_type: str
    description: str
    submitted_at: datetime | None = None
    applicant_name: str = ""
    phone: str = ""
    category: Category | None = None
    title: str = ""
    address: str = ""
    people_count: int = 1
    amount: Decimal | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class RowCheck:
    plan: RowPlan | None
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def row_source_id(values: dict[str, str]) -> str:
    """The row's own id, or — when the export has none — a hash of its mapped values (stable across re-imports)."""
    own = (values.get(Field.SOURCE_ID) or "").strip()
    if own:
        return own[:64]
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"h:{digest[:40]}"


def short_place(name: str) -> str:
    value = "".join((name or "").split())
    for suffix in ("社区居民委员会", "社区居委会", "居委会", "社区", "街道办事处", "街道办", "街道"):
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value


class Places:
    """Streets and communities of one district, by name (with or without 街道/社区) or by code."""

    def __init__(self, district_code: str):
        self.district = Region.objects.filter(code=district_code, level=RegionLevel.DISTRICT).first()
        self.streets: dict[str, Region] = {}
        self.communities: dict[tuple[int, str], Region] = {}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        self.by_code: dict[str, Region] = {}
        if self.district is None:
            return
        for region in Region.objects.filter(path__startswith=self.district.path).exclude(pk=self.district.pk):
            self.by_code[region.code] = region
            if region.level == RegionLevel.STREET:
                self.streets[short_place(region.name)] = region
            elif region.level == RegionLevel.COMMUNITY:
                self.communities[(region.parent_id, short_place(region.name))] = region
                self.by_name[short_place(region.name)].append(region)


class Catalogue:
    """The category catalogue by name: "劳动和社会保障/劳动关系", "劳动关系" (when unique) or "劳动和社会保障"."""

    def __init__(self):
        categories = list(Category.objects.select_related("parent"))
        self.level1 = {c.name: c for c in categories if c.parent_id is None}
        self.pairs = {(c.parent.name, c.name): c for c in categories if c.parent_id is not None}
        self.level2: dict[str, list[Category]] = defaultdict(list)
        for c in categories:
            if c.parent_id is not None:
                self.level2[c.name].append(c)

    def find(self, text: str) -> Category | None:
        text = text.strip()
        if not text:
            return None
        parts = [p for p in CATEGORY_SEPARATORS.split(text) if p]
        if len(parts) >= 2 and (parts[0], parts[-1]) in self.pairs:
            return self.pairs[(parts[0], parts[-1])]
        if text in self.level1:
            return self.level1[text]
        candidates = self.level2.get(parts[-1] if parts else text, [])
        return candidates[0] if len(candidates) == 1 else None


@dataclass
class Context:
    """What a check needs besides the row: the mapping's vocabulary, places, catalogue, who imports, when."""

    headings: dict[str, str]
    service_types: dict[str, str]
    default_service_type: str
    places: Places
    catalogue: Catalogue
    allowed_region_ids: frozenset[int] | None
    now: datetime
    seen: dict[str, int] = field(default_factory=dict)  # source id -> first row number in this file

    def column(self, name: str) -> str:
        return self.headings.get(name, name)


def parse_datetime(text: str) -> datetime | None:
    value = text.strip()
    parsed = None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _place(values: dict[str, str], ctx: Context, reasons: list[str]) -> Region | None:
    places = ctx.places
    if places.district is None:
        reasons.append(_("The import mapping names a district that is not loaded; ask the administrator."))
        return None
    street_raw = (values.get(Field.STREET) or "").strip()
    community_raw = (values.get(Field.COMMUNITY) or "").strip()
    street = None
    if street_raw:
        street = places.by_code.get(street_raw) or places.streets.get(short_place(street_raw))
        if street is None or street.level != RegionLevel.STREET:
            reasons.append(_("%(column)s: there is no street “%(name)s” in %(district)s.") % {
                "column": ctx.column(Field.STREET), "name": street_raw, "district": places.district.name})
            return None
    if community_raw:
        community = places.by_code.get(community_raw)
        if community is None:
            if street is not None:
                community = places.communities.get((street.pk, short_place(community_raw)))
            else:
                matches = places.by_name.get(short_place(community_raw), [])
                if len(matches) > 1:
                    reasons.append(_("%(column)s: there are several communities called “%(name)s”; fill in the street too.")
                                   % {"column": ctx.column(Field.COMMUNITY), "name": community_raw})
                    return None
                community = matches[0] if matches else None
        if community is None or community.level != RegionLevel.COMMUNITY:
            where = street.name if street is not None else places.district.name
            reasons.append(_("%(column)s: there is no community “%(name)s” in %(place)s.") % {
                "column": ctx.column(Field.COMMUNITY), "name": community_raw, "place": where})
            return None
        if street is not None and community.parent_id != street.pk:
            reasons.append(_("%(column)s: community “%(name)s” is not in %(street)s.") % {
                "column": ctx.column(Field.COMMUNITY), "name": community_raw, "street": street.name})
            return None
        return community
    return street


def _service_and_category(values: dict[str, str], ctx: Context, notes: list[str]) -> tuple[str, Category | None]:
    kind = (values.get(Field.SERVICE_TYPE) or "").strip()
    category_text = (values.get(Field.CATEGORY) or "").strip()
    category = ctx.catalogue.find(category_text) if category_text else None
    if category_text and category is None:
        notes.append(_("%(column)s: “%(value)s” is not in the category catalogue; an operator will classify the case.")
                     % {"column": ctx.column(Field.CATEGORY), "value": category_text})
    service = None
    if kind:
        labels = {str(label): value for value, label in ServiceType.choices}
        service = ctx.service_types.get(kind) or (kind if kind in ServiceType.values else None) or labels.get(kind)
        if service is None:
            as_category = ctx.catalogue.find(kind)
            if as_category is not None:
                category = category or as_category
            else:
                notes.append(_("%(column)s: “%(value)s” is not a known type; taken as “%(default)s”.") % {
                    "column": ctx.column(Field.SERVICE_TYPE), "value": kind,
                    "default": ServiceType(ctx.default_service_type).label})
    if service is None:
        service = category.default_service_type if category is not None else ctx.default_service_type
    return service, category


def _number(text: str, *, kind: type, column: str, reasons: list[str]):
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").replace("人", "").strip()
    try:
        value = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        reasons.append(_("%(column)s: “%(value)s” is not a number.") % {"column": column, "value": text})
        return None
    if kind is int:
        if value != value.to_integral_value():
            reasons.append(_("%(column)s: “%(value)s” is not a whole number.") % {"column": column, "value": text})
            return None
        return int(value)
    return value


def check_row(number: int, values: dict[str, str], ctx: Context) -> RowCheck:
    reasons: list[str] = []
    notes: list[str] = []
    source_id = row_source_id(values)

    description = ""
    try:
        description = clean_description(values.get(Field.DESCRIPTION) or "")
    except ValidationError as exc:
        reasons.append(f"{ctx.column(Field.DESCRIPTION)}: {' '.join(exc.messages)}")

    phone = ""
    try:
        phone = clean_phone(values.get(Field.PHONE) or "", required=False)
    except ValidationError as exc:
        reasons.append(f"{ctx.column(Field.PHONE)}: {' '.join(exc.messages)}")

    submitted_at = None
    when = (values.get(Field.SUBMITTED_AT) or "").strip()
    if when:
        submitted_at = parse_datetime(when)
        if submitted_at is None:
            reasons.append(_("%(column)s: “%(value)s” is not a date and time (write it like 2026-11-20 09:30).")
                           % {"column": ctx.column(Field.SUBMITTED_AT), "value": when})
        elif submitted_at > ctx.now + timedelta(minutes=10):
            reasons.append(_("%(column)s: “%(value)s” is in the future.") % {
                "column": ctx.column(Field.SUBMITTED_AT), "value": when})
        elif submitted_at < timezone.make_aware(EARLIEST):
            reasons.append(_("%(column)s: “%(value)s” is too long ago to be a real date.") % {
                "column": ctx.column(Field.SUBMITTED_AT), "value": when})

    people_count = 1
    if (values.get(Field.PEOPLE_COUNT) or "").strip():
        people_count = _number(values[Field.PEOPLE_COUNT], kind=int, column=ctx.column(Field.PEOPLE_COUNT), reasons=reasons)
        if people_count is not None and people_count < 1:
            reasons.append(_("%(column)s: at least one person is involved.") % {"column": ctx.column(Field.PEOPLE_COUNT)})
    amount = None
    if (values.get(Field.AMOUNT) or "").strip():
        amount = _number(values[Field.AMOUNT], kind=Decimal, column=ctx.column(Field.AMOUNT), reasons=reasons)
        if amount is not None and amount < 0:
            reasons.append(_("%(column)s: the money involved cannot be negative.") % {"column": ctx.column(Field.AMOUNT)})

    latitude = longitude = None
    lat_raw, lng_raw = (values.get(Field.LATITUDE) or "").strip(), (values.get(Field.LONGITUDE) or "").strip()
    if lat_raw or lng_raw:
        try:
            latitude, longitude = clean_coordinates(lat_raw, lng_raw)
        except ValidationError as exc:
            reasons.append(f"{ctx.column(Field.LATITUDE)}/{ctx.column(Field.LONGITUDE)}: {' '.join(exc.messages)}")

    region = _place(values, ctx, reasons)
    if region is None and not reasons and latitude is not None:
        region = region_for_point(latitude, longitude)
    if region is None and not reasons:
        reasons.append(_("No place: fill in %(street)s or %(community)s.") % {
            "street": ctx.column(Field.STREET), "community": ctx.column(Field.COMMUNITY)})
    if region is not None and ctx.allowed_region_ids is not None and region.pk not in ctx.allowed_region_ids:
        reasons.append(_("%(place)s is outside the area you take in demands for.") % {"place": region.name})

    service_type, category = _service_and_category(values, ctx, notes)

    if reasons:
        return RowCheck(plan=None, reasons=reasons, notes=notes)
    return RowCheck(
        plan=RowPlan(
            source_id=source_id,
            region=region,
            service_type=service_type,
            description=description,
            submitted_at=submitted_at,
            applicant_name=(values.get(Field.APPLICANT_NAME) or "").strip()[:100],
            phone=phone,
            category=category,
            title=shorten(values.get(Field.TITLE) or "", TITLE_MAX),
            address=(values.get(Field.ADDRESS) or "").strip()[:200],
            people_count=people_count or 1,
            amount=amount,
            latitude=latitude,
            longitude=longitude,
        ),
        notes=notes,
    )
