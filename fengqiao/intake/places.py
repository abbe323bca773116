"""Where a demand is: the community list, QR tokens, and the region a form's answers point to."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fengqiao.intake.validation import region_for_point
from fengqiao.org.models import QrPlace, Region, RegionLevel, ServicePoint


def community_choices(region_ids=None, *, blank_label: str = "") -> list:
    """Communities grouped by district · street, for a <select> with <optgroup>s; limited to `region_ids` if given."""
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY).select_related("parent", "parent__parent")
    if region_ids is not None:
        qs = qs.filter(pk__in=region_ids)
    groups: dict[str, list[tuple[str, str]]] = {}
    for community in qs.order_by("code"):
        street = community.parent
        district = street.parent if street else None
        label = " · ".join(r.name for r in (district, street) if r is not None)
        groups.setdefault(label, []).append((community.code, community.name))
    return [("", blank_label or _("Choose your community")), *groups.items()]


def community_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=code, level=RegionLevel.COMMUNITY).select_related("parent").first()


@dataclass(frozen=True)
class QrOrigin:
    """What a scanned code tells: the place's name, region, service point, address and position."""

    kind: str  # "point" | "place"
    token: str
    name: str
    region: Region
    service_point: ServicePoint | None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @property
    def community_code(self) -> str:
        return self.region.code if self.region.level == RegionLevel.COMMUNITY else ""


def qr_origin(*, point: str = "", place: str = "") -> QrOrigin | None:
    """The active service point or QR place a token names, or None when unknown."""
    if place:
        found = QrPlace.objects.filter(token=place, is_active=True).select_related("region", "service_point").first()
        if found is None:
            return None
        return QrOrigin("place", place, found.name, found.region, found.service_point, found.address or found.name,
                        found.latitude, found.longitude)
    if point:
        sp = ServicePoint.objects.filter(token=point, is_active=True).select_related("region").first()
        if sp is None:
            return None
        return QrOrigin("point", point, sp.name, sp.region, sp, sp.address, sp.latitude, sp.longitude)
    return None


def resolve_region(*, origin: QrOrigin | None, community: Region | None, coordinates: tuple[float, float] | None) -> Region:
    """The most precise region the answers give: community, else the QR place's, else the district of the pin."""
    if community is not None:
        if coordinates is not None:
            pinned = region_for_point(*coordinates)
            if pinned is not None and not community.path.startswith(pinned.path):
                raise ValidationError(
                    {"latitude": _("The pin on the map is not in the district of the community you chose.")}
                )
        return community
    if origin is not None:
        return origin.region
    if coordinates is not None:
        pinned = region_for_point(*coordinates)
        if pinned is not None:
            return pinned
    raise ValidationError({"community": _("Choose your community, or put a pin on the map.")})
