"""What the API does with cases, always as the client's service account and always through the services.

Reads go through `Case.objects.visible_to(user)`; every write is a call to
fengqiao.cases.services, which checks `may(user, …)` itself. Nothing here writes a row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from fengqiao.api.errors import ApiError
from fengqiao.api.models import ApiClient, ApiScope
from fengqiao.api.schemas import MAX_ID, ActionIn, CaseFilters, CaseIn
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category, Channel
from fengqiao.cases.permissions import available_actions
from fengqiao.cases.workflow import Action, TransitionError, allowed_actions
from fengqiao.intake.validation import clamp_datetime, clean_coordinates, region_for_point
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import OrgUnit, Region, RegionLevel, Role
from fengqiao.org.rules import CENTRE_KINDS

PLACE_LEVELS = (RegionLevel.COMMUNITY, RegionLevel.STREET, RegionLevel.GRID, RegionLevel.DISTRICT)


# --- reading ---------------------------------------------------------------------------------------


def visible_case(client: ApiClient, code: str) -> Case:
    """The case with this code if the client may see it; 404 otherwise (never 403: existence is not disclosed)."""
    case = (
        Case.objects.visible_to(client.user)
        .select_related("region", "holder_unit", "category")
        .filter(code=code.strip().upper())
        .first()
    )
    if case is None:
        raise Http404
    return case


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_cursor(case: Case) -> str:
    """"<microseconds since 1970 UTC>-<id>" of the last row: every string the document's pattern allows
    (schemas.CURSOR_PATTERN) decodes, so a cursor is refused only by the pattern, never after it."""
    delta = case.updated_at - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}-{case.pk}"


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    micros, _sep, pk = cursor.partition("-")
    try:
        return _EPOCH + timedelta(microseconds=int(micros)), min(int(pk), MAX_ID)
    except (ValueError, OverflowError):  # only when called without the schema's pattern
        raise ValidationError({"cursor": _("This cursor is not valid; start again without it.")}) from None


def case_page(client: ApiClient, filters: CaseFilters) -> tuple[list[Case], str | None]:
    """Keyset page over the visible cases in (updated_at, id) order: a sync loop sees every change once."""
    qs: QuerySet[Case] = Case.objects.visible_to(client.user)
    for field in ("status", "grade", "service_type"):
        value = getattr(filters, field)
        if value:
            qs = qs.filter(**{field: value})
    if filters.code:
        qs = qs.filter(code=filters.code.strip().upper())
    if filters.updated_since:
        qs = qs.filter(updated_at__gte=clamp_datetime(filters.updated_since))
    if filters.cursor:
        value, pk = _decode_cursor(filters.cursor)
        qs = qs.filter(Q(updated_at__gt=value) | Q(updated_at=value, pk__gt=pk))
    rows = list(qs.select_related("region", "holder_unit", "category").order_by("updated_at", "pk")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return rows, encode_cursor(rows[-1]) if more else None


def may_reveal(client: ApiClient, case: Case) -> bool:
    return client.has_scope(ApiScope.PII) and may(client.user, Capability.PII_REVEAL, case)


# --- taking in a case ------------------------------------------------------------------------------


def _in_client_area(user, region: Region) -> bool:
    return any(
        Capability.CASE_INTAKE in grant.capabilities and region.pk in grant.region_ids
        for grant in scope_for(user).grants
    )


def _place(data: CaseIn, user) -> tuple[Region | None, float | None, float | None, dict[str, str]]:
    """The region of the case from community_code, else from latitude/longitude (which resolve to the district)."""
    errors: dict[str, str] = {}
    region = latitude = longitude = None
    if data.community_code:
        region = Region.objects.filter(code=data.community_code.strip(), level__in=PLACE_LEVELS).first()
        if region is None:
            errors["community_code"] = _("No community or street has the code %(code)s.") % {"code": data.community_code}
    if (data.latitude is None) != (data.longitude is None):
        errors["longitude" if data.longitude is None else "latitude"] = _("Give both latitude and longitude.")
    elif data.latitude is not None:
        try:
            latitude, longitude = clean_coordinates(data.latitude, data.longitude, system=data.coordinate_system)
        except ValidationError as exc:
            errors["latitude"] = " ".join(exc.messages)
        else:
            if region is None and "community_code" not in errors:
                # Communities have no boundaries in the data yet, so a point resolves to its district.
                region = region_for_point(latitude, longitude)
                if region is None:
                    errors["latitude"] = _("This place is outside the area we serve. Please choose a place inside the district.")
    if region is None and not errors:
        errors["community_code"] = _("Give community_code, or latitude and longitude inside the district.")
    if region is not None and not errors and not _in_client_area(user, region):
        field = "community_code" if data.community_code else "latitude"
        errors[field] = _("This place is outside the area this API key takes cases in.")
    return region, latitude, longitude, errors


def api_case_submit(client: ApiClient, data: CaseIn) -> tuple[Case, bool]:
    """(case, created): a repeat of the client's source_id answers with the case made the first time."""
    if data.source_id:
        existing = Case.objects.filter(source_system=client.source_system, source_id=data.source_id).first()
        if existing is not None:
            return existing, False
    user = client.user
    if not may(user, Capability.CASE_INTAKE):
        raise PermissionDenied(_("The account of this API key may not take in cases."))
    region, latitude, longitude, errors = _place(data, user)
    category = None
    if data.category:
        category = Category.objects.filter(code=data.category.strip()).first()
        if category is None:
            errors["category"] = _("No category has the code %(code)s.") % {"code": data.category}
    for i, party in enumerate(data.parties):
        if bool(party.id_type) != bool(party.id_number.strip()):
            errors[f"parties.{i}.id_number"] = _("Give the ID type and the ID number together.")
    if errors:
        raise ValidationError(errors)
    case = cs.case_submit(
        channel=Channel.API,
        service_type=data.service_type,
        category=category,
        title=data.title,
        description=data.description,
        region=region,
        address=data.address.strip(),
        latitude=latitude,
        longitude=longitude,
        people_count=data.people_count,
        amount=data.amount,
        parties=[
            cs.PartyInput(role=p.role, kind=p.kind, name=p.name.strip(), phone=p.phone, id_type=p.id_type,
                          id_number=p.id_number.strip())
            for p in data.parties
        ],
        reporter=user,  # the client's account took it in, so it always sees what it submitted
        is_anonymous=data.is_anonymous,
        consent_contact=data.consent_contact,
        source_system=client.source_system,
        source_id=data.source_id,
    )
    return case, True


# --- lifecycle actions --------------------------------------------------------------------------------

# Service field names that the API calls differently.
FIELD_NAMES = {"unit": "unit_id", "assisting": "assisting_unit_ids"}


def _required(data: ActionIn, name: str):
    value = getattr(data, name)
    if value is None or value == "":
        raise ValidationError({name: _("This field is required.")})
    return value


def _target_units(case: Case):
    """Units of the case's district that can take work (not centres), as on the workbench."""
    district_path = case.holder_unit.path.split("/")[1]
    return OrgUnit.objects.filter(path__startswith=f"/{district_path}/", is_active=True).exclude(kind__in=CENTRE_KINDS)


def _unit(case: Case, data: ActionIn) -> OrgUnit:
    unit = _target_units(case).exclude(pk=case.holder_unit_id).filter(pk=_required(data, "unit_id")).first()
    if unit is None:
        raise ValidationError({"unit_id": _("No unit with this id can take this case.")})
    return unit


def _assisting(case: Case, data: ActionIn) -> list[OrgUnit]:
    units = list(_target_units(case).filter(pk__in=data.assisting_unit_ids))
    if len(units) != len(set(data.assisting_unit_ids)):
        raise ValidationError({"assisting_unit_ids": _("No unit with this id can take this case.")})
    return units


def _into(case: Case, data: ActionIn, user) -> Case:
    code = _required(data, "into").strip().upper()
    target = Case.objects.visible_to(user).filter(code=code).first()
    if target is None:
        raise ValidationError({"into": _("No case has the code %(code)s.") % {"code": code}})
    return target


def _assignee(case: Case, data: ActionIn):
    from fengqiao.accounts.models import User

    person = User.objects.filter(
        username=_required(data, "assignee"), memberships__unit=case.holder_unit, memberships__is_active=True,
        memberships__role__in=[Role.HANDLER, Role.OPERATOR, Role.MEDIATOR],
    ).first()
    if person is None:
        raise ValidationError({"assignee": _("Assign to someone in the holding unit.")})
    return person


Call = Callable[[Case, object, ActionIn], object]

# action → service call, the API's counterpart of fengqiao.cases.views.SERVICE_CALLS.
ACTIONS: dict[str, Call] = {
    Action.ACCEPT: lambda c, u, d: cs.case_accept(case=c, actor=u, expected_version=d.expected_version),
    Action.REJECT: lambda c, u, d: cs.case_reject(case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.MERGE: lambda c, u, d: cs.case_merge(case=c, actor=u, into=_into(c, d, u), expected_version=d.expected_version),
    Action.DISPATCH: lambda c, u, d: cs.case_dispatch(
        case=c, actor=u, unit=_unit(c, d), assisting=_assisting(c, d), note=d.reason, expected_version=d.expected_version),
    Action.REDISPATCH: lambda c, u, d: cs.case_dispatch(
        case=c, actor=u, unit=_unit(c, d), note=d.reason, expected_version=d.expected_version),
    Action.RETURN: lambda c, u, d: cs.case_return(case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.RETURN_REFUSE: lambda c, u, d: cs.case_return_refuse(
        case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.SIGN: lambda c, u, d: cs.case_sign(case=c, actor=u, expected_version=d.expected_version),
    Action.START: lambda c, u, d: cs.case_start(case=c, actor=u, expected_version=d.expected_version),
    Action.PROGRESS: lambda c, u, d: cs.case_progress(case=c, actor=u, note=d.reason, expected_version=d.expected_version),
    Action.EXTENSION_REQUEST: lambda c, u, d: cs.case_extension_request(
        case=c, actor=u, reason=d.reason, days=_required(d, "days"), expected_version=d.expected_version),
    Action.EXTENSION_DECIDE: lambda c, u, d: cs.case_extension_decide(
        case=c, actor=u, approve=_required(d, "approve"), reason=d.reason, expected_version=d.expected_version),
    Action.ESCALATE: lambda c, u, d: cs.case_escalate(case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.SUPERVISE: lambda c, u, d: cs.case_supervise(case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.HOLD: lambda c, u, d: cs.case_hold(case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.RESUME: lambda c, u, d: cs.case_resume(case=c, actor=u, expected_version=d.expected_version),
    Action.WITHDRAW: lambda c, u, d: cs.case_withdraw(case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.RESOLVE: lambda c, u, d: cs.case_resolve(
        case=c, actor=u, outcome=_required(d, "outcome"), note=d.reason, expected_version=d.expected_version),
    Action.CONFIRM: lambda c, u, d: cs.case_confirm(
        case=c, actor=u, satisfaction=_required(d, "satisfaction"), by="return_visit", expected_version=d.expected_version),
    Action.REOPEN: lambda c, u, d: cs.case_reopen(case=c, actor=u, reason=d.reason, expected_version=d.expected_version),
    Action.CLOSE: lambda c, u, d: cs.case_close(case=c, actor=u, expected_version=d.expected_version),
    Action.ASSIGN: lambda c, u, d: cs.case_assign(case=c, actor=u, assignee=_assignee(c, d), expected_version=d.expected_version),
    Action.ASSIST: lambda c, u, d: cs.case_assist(case=c, actor=u, unit=_unit(c, d), expected_version=d.expected_version),
    Action.NOTE: lambda c, u, d: cs.case_note(case=c, actor=u, text=d.reason),
    Action.REGRADE: lambda c, u, d: cs.case_regrade(
        case=c, actor=u, grade=_required(d, "grade"), reason=d.reason, expected_version=d.expected_version),
}


def client_actions(client: ApiClient, case: Case) -> list[str]:
    """What the client may do on the case now (shown in the case detail); nothing without the "cases" scope."""
    if not client.has_scope(ApiScope.CASES):
        return []
    return [a for a in available_actions(client.user, case) if a in ACTIONS]


def api_case_act(client: ApiClient, case: Case, action: str, data: ActionIn) -> Case:
    """Run one lifecycle action: 404 unknown action, 409 wrong state, 403 not this client's right, 422 bad input."""
    if action not in ACTIONS:
        raise ApiError(404, "unknown_action", _("Unknown action “%(action)s”. Known actions: %(actions)s.")
                       % {"action": action, "actions": ", ".join(ACTIONS)})
    user = client.user
    # The state first, then the right, as on the workbench; the service checks both again under its lock.
    if action not in allowed_actions(case.status):
        raise TransitionError(action, case.status)
    if action not in available_actions(user, case):
        raise PermissionDenied(_("You may not do this on this case."))
    try:
        ACTIONS[action](case, user, data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError({FIELD_NAMES.get(k, k): v for k, v in exc.error_dict.items()}) from None
        raise
    return case
