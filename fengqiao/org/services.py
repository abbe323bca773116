"""The one write path for the organisation tree.

Admin, the geo loader and the demo seeder all call these; each validates with
fengqiao.org.rules and writes in a transaction, so nothing is half-written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.org.models import Membership, OrgUnit, Region, ServicePoint
from fengqiao.org.rules import region_code_error, unit_parent_error


def region_path(parent: Region | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def region_validate(*, code: str, level: str, parent: Region | None, instance: Region | None = None) -> None:
    error = region_code_error(
        level=level, code=code, parent_level=parent.level if parent else None, parent_code=parent.code if parent else None
    )
    if error:
        raise ValidationError({"code": error})
    if (
        instance is not None
        and instance.pk
        and parent is not None
        and (parent.pk == instance.pk or parent.path.startswith(instance.path))
    ):
        raise ValidationError({"parent": _("A region cannot sit under itself or one of its own sub-regions.")})


@transaction.atomic
def region_save(
    *,
    code: str,
    name: str,
    level: str,
    parent: Region | None,
    case_prefix: str = "",
    boundary: dict | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Region:
    """Create the region with this code, or update it in place (idempotent for loaders)."""
    if not name.strip():
        raise ValidationError({"name": _("A region needs a name.")})
    instance = Region.objects.filter(code=code).first()
    region_validate(code=code, level=level, parent=parent, instance=instance)
    region = instance or Region(code=code)
    region.name, region.level, region.parent = name.strip(), level, parent
    region.case_prefix, region.boundary = case_prefix, boundary
    region.latitude, region.longitude = latitude, longitude
    region.path = region_path(parent, code)
    region.save()
    return region


def unit_validate(*, kind: str, parent: OrgUnit | None, instance: OrgUnit | None = None) -> None:
    creates_cycle = bool(
        instance is not None
        and instance.pk
        and parent is not None
        and (parent.pk == instance.pk or parent.path.startswith(instance.path))
    )
    error = unit_parent_error(kind=kind, parent_kind=parent.kind if parent else None, creates_cycle=creates_cycle)
    if error:
        raise ValidationError({"parent": error})


@transaction.atomic
def unit_save(
    *,
    name: str,
    kind: str,
    region: Region,
    parent: OrgUnit | None,
    short_name: str = "",
    domain_hint: str = "",
    source: str = "",
) -> OrgUnit:
    """Create the unit named `name` in `region`, or update it (idempotent)."""
    instance = OrgUnit.objects.filter(region=region, name=name).first()
    unit_validate(kind=kind, parent=parent, instance=instance)
    unit = instance or OrgUnit(region=region, name=name)
    unit.kind, unit.parent, unit.short_name = kind, parent, short_name
    unit.domain_hint, unit.source = domain_hint, source
    # The path is (re)computed after the save, when the id is known; _unit_repath compares it with the old one.
    unit.save()
    _unit_repath(unit)
    return unit


def _unit_repath(unit: OrgUnit) -> None:
    """Recompute the materialised path of `unit` and of everything below it."""
    old = unit.path
    unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    if old and old != unit.path:
        for child in OrgUnit.objects.filter(parent=unit):
            _unit_repath(child)


@transaction.atomic
def service_point_save(
    *,
    name: str,
    level: str,
    region: Region,
    unit: OrgUnit,
    place_kind: str = "other",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> ServicePoint:
    if not region.path.startswith(unit.region.path):
        raise ValidationError({"unit": _("The operating unit must serve the point's region.")})
    point, _created = ServicePoint.objects.update_or_create(
        region=region,
        name=name,
        defaults={
            "level": level,
            "unit": unit,
            "place_kind": place_kind,
            "address": address,
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    return point


def membership_grant(*, user, unit: OrgUnit, role: str, title: str = "", seed: str = "system") -> Membership:
    """A role set up by the platform itself (demo, tests, loaders, service accounts made at the shell): in effect at
    once and recorded as a set-up. People ask for roles through fengqiao.org.grants.membership_request, which waits
    for a second person (separation of duties: fengqiao.org.duties)."""
    from fengqiao.org.grants import membership_seed

    return membership_seed(user=user, unit=unit, role=role, title=title, seed=seed)


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    name: str,
    memberships: list[tuple[OrgUnit, str]],
    phone: str = "",
    seed: str = "system",
) -> User:
    """Create (or refresh) a staff account together with its memberships.

    A staff account without a unit is refused: it could see nothing and would
    only be a loose credential.
    """
    if not memberships:
        raise ValidationError({"memberships": _("A staff account must belong to at least one unit.")})
    user = User.objects.filter(username=username).first() or User(username=username)
    user.name, user.phone = name, phone
    user.set_password(password)
    user.save()
    for unit, role in memberships:
        membership_grant(user=user, unit=unit, role=role, seed=seed)
    return user
