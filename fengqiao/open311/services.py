"""POST a service request: read the GeoReport parameters, check them, and take the demand in.

The case is created by fengqiao.cases.services.case_submit (channel "open311", source_system of
the client); this module writes only its own Open311Submission row (client, media_url) in the
same transaction. Every problem becomes an Open311Error (400 parameters, 403 rights, 404 unknown
service code or jurisdiction).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.api.models import ApiClient
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.cases.services import PartyInput, case_submit
from fengqiao.intake.validation import (
    MAX_PEOPLE_COUNT,
    clean_coordinates,
    clean_description,
    clean_phone,
    region_for_point,
)
from fengqiao.open311.catalogue import ATTRIBUTE_CODES, leaf_by_code
from fengqiao.open311.formats import Open311Error
from fengqiao.open311.models import Open311Submission
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import Region, RegionLevel

ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
CJK = re.compile(r"[\u3400-\u9fff]")
MAX_AMOUNT = Decimal("1000000000000")
DEFAULT_DISTRICT = "440311"  # 光明区: where a request with an address only and no community goes


@dataclass
class RequestInput:
    service_code: str = ""
    jurisdiction_id: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def parse_request(params: Mapping[str, str]) -> RequestInput:
    data = RequestInput()
    for name in ("service_code", "jurisdiction_id", "lat", "long", "address_string", "address_id", "email",
                 "first_name", "last_name", "phone", "description", "media_url"):
        setattr(data, name, str(params.get(name) or "").strip())
    for key, value in params.items():
        match = ATTRIBUTE.match(key)
        if match:
            data.attributes[match.group(1)] = str(value or "").strip()
    return data


def jurisdiction_for(jurisdiction_id: str) -> Region | None:
    """The district named by jurisdiction_id (its statistical code); 404 when there is none."""
    if not jurisdiction_id:
        return None
    district = Region.objects.filter(code=jurisdiction_id, level=RegionLevel.DISTRICT).first()
    if district is None:
        raise Open311Error(404, _("jurisdiction_id “%(id)s” was not found.") % {"id": jurisdiction_id})
    return district


def applicant_name(first: str, last: str) -> str:
    """王 + 小梅 → 王小梅 (family name first in Chinese); Jane + Doe → Jane Doe."""
    if CJK.search(first + last):
        return f"{last}{first}".strip()
    return " ".join(p for p in (first, last) if p)


def source_id_for(idempotency_key: str) -> str:
    if not idempotency_key:
        return ""
    value = f"open311:{idempotency_key}"
    return value if len(value) <= 64 else f"open311:h:{hashlib.sha256(idempotency_key.encode()).hexdigest()[:48]}"


def _place(data: RequestInput, jurisdiction: Region | None, errors: list[str]):
    """(region, latitude, longitude) from lat/long, attribute[community] and address_string."""
    community = None
    code = data.attributes.get("community", "")
    if code:
        community = Region.objects.filter(code=code, level=RegionLevel.COMMUNITY).first()
        if community is None or (jurisdiction is not None and not community.path.startswith(jurisdiction.path)):
            errors.append(_("attribute[community]: there is no community with the code “%(code)s”.") % {"code": code})
            return None, None, None
    if data.lat or data.long:
        if not (data.lat and data.long):
            errors.append(_("lat and long: give both, in WGS84 degrees."))
            return None, None, None
        try:
            lat, lng = clean_coordinates(data.lat, data.long)
        except ValidationError as exc:
            errors.append(f"lat/long: {' '.join(exc.messages)}")
            return None, None, None
        district = region_for_point(lat, lng)
        if district is None or (jurisdiction is not None and district.pk != jurisdiction.pk):
            errors.append(_("lat/long: this place is outside the area we serve."))
            return None, None, None
        if community is not None and community.district != district.district:
            errors.append(_("attribute[community]: the community is not in the district of lat/long."))
            return None, None, None
        return community or district, lat, lng
    if data.address_string:
        if community is not None:
            return community, None, None
        fallback = jurisdiction or Region.objects.filter(
            code=settings.FQ_OPEN311_DISTRICT, level=RegionLevel.DISTRICT).first()
        if fallback is None:
            errors.append(_("address_string: give attribute[community] too."))
        return fallback, None, None
    if data.address_id:
        errors.append(_("address_id is not supported here: send lat and long, or address_string."))
    else:
        errors.append(_("A location is required: lat and long, or address_string."))
    return None, None, None


def _attributes(data: RequestInput, default_service: str, errors: list[str]) -> tuple[str, int, Decimal | None]:
    unknown = sorted(set(data.attributes) - set(ATTRIBUTE_CODES))
    for code in unknown:
        errors.append(_("attribute[%(code)s] is not an attribute of this service.") % {"code": code})
    service_type = data.attributes.get("service_type") or default_service
    if service_type not in ServiceType.values:
        errors.append(_("attribute[service_type] must be one of: %(keys)s.") % {"keys": ", ".join(ServiceType.values)})
    people = 1
    raw = data.attributes.get("people_count", "")
    if raw:
        # isdecimal, not isdigit: "²" is a digit that int() refuses; seven digits at most before int() is asked.
        if not (raw.isdecimal() and len(raw) <= len(str(MAX_PEOPLE_COUNT)) and 1 <= int(raw) <= MAX_PEOPLE_COUNT):
            errors.append(_("attribute[people_count] must be a whole number from 1 to %(max)d.")
                          % {"max": MAX_PEOPLE_COUNT})
        else:
            people = int(raw)
    amount = None
    raw = data.attributes.get("amount", "")
    if raw:
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
            errors.append(_("attribute[amount] must be a sum of money in yuan, e.g. 36000."))
            amount = None
        else:
            amount = amount.quantize(Decimal("0.01"))
    return service_type, people, amount


def check_client(client: ApiClient) -> None:
    if not may(client.user, Capability.CASE_INTAKE):
        raise Open311Error(403, _("The account of this api_key may not take in requests."))


def request_submit(*, client: ApiClient, data: RequestInput, idempotency_key: str = "") -> Case:
    """Check a POSTed request and take it in; a repeat of an idempotency key answers with the first case."""
    check_client(client)
    if not data.service_code:
        raise Open311Error(400, _("service_code was not provided."))
    jurisdiction = jurisdiction_for(data.jurisdiction_id)
    category = leaf_by_code(data.service_code)
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": data.service_code})
    errors: list[str] = []
    region, lat, lng = _place(data, jurisdiction, errors)
    service_type, people, amount = _attributes(data, category.default_service_type, errors)
    description = ""
    try:
        description = clean_description(data.description, max_length=4000)
    except ValidationError as exc:
        errors.append(f"description: {' '.join(exc.messages)}")
    phone = ""
    try:
        phone = clean_phone(data.phone, required=False)
    except ValidationError as exc:
        errors.append(f"phone: {' '.join(exc.messages)}")
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            errors.append(_("email: “%(email)s” is not an e-mail address.") % {"email": data.email})
    if data.media_url:
        try:
            if len(data.media_url) > 500:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(data.media_url)
        except ValidationError:
            errors.append(_("media_url: give an http or https address of at most 500 characters."))
    if errors:
        raise Open311Error(400, *errors)
    grants = scope_for(client.user).grants
    if not any(Capability.CASE_INTAKE in g.capabilities and region.pk in g.region_ids for g in grants):
        raise Open311Error(403, _("This place is outside the area this api_key takes requests in."))
    name = applicant_name(data.first_name, data.last_name)[:100]
    parties = []
    if name or phone:
        parties = [PartyInput(role=Party.PartyRole.APPLICANT, name=name or _("Resident (name not given)"), phone=phone)]
    with transaction.atomic():
        try:
            case = case_submit(
                channel=Channel.OPEN311,
                service_type=service_type,
                category=category,
                title="",
                description=description,
                region=region,
                address=data.address_string[:200],
                latitude=lat,
                longitude=lng,
                people_count=people,
                amount=amount,
                parties=parties,
                is_anonymous=not name,
                reporter=client.user,
                source_system=client.source_system,
                source_id=source_id_for(idempotency_key),
            )
        except ValidationError as exc:
            raise Open311Error(400, *exc.messages) from exc
        Open311Submission.objects.get_or_create(case=case, defaults={"client": client, "media_url": data.media_url})
    return case
