"""Where a demand is: the community list, QR tokens, and the region a form's answers point to."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fengqiao.intake.validation import region_for_point
from fengqiao.org.models import QrPlace, Region, RegionLevel, ServicePoint

# The community list is the same for every visitor: read once per process, without the outlines (JSON that
# cost 0.2 s per page to decode), and read again after CHOICES_SECONDS or when a region changes.
CHOICES_SECONDS = 300
_groups_memo: dict = {"at": 0.0, "groups": None}


@dataclass(frozen=True)
class CommunityGroup:
    """The communities of one street, labelled "district · street"."""

    district: str  # the district's code
    label: str
    communities: tuple[tuple[int, str, str], ...]  # (id, code, name)


def community_groups() -> list[CommunityGroup]:
    """Every community, grouped by district · street; districts, streets and communities in code order."""
    now = time.monotonic()
    if _groups_memo["groups"] is None or now - _groups_memo["at"] > CHOICES_SECONDS:
        rows = (Region.objects.filter(level=RegionLevel.COMMUNITY)
                .order_by("parent__parent__code", "parent__code", "code")
                .values_list("pk", "code", "name", "parent__code", "parent__name", "parent__parent__code",
                             "parent__parent__name"))
        groups: dict[str, tuple[str, str, list]] = {}
        for pk, code, name, street_code, street, district_code, district in rows:
            label = " · ".join(n for n in (district, street) if n)
            groups.setdefault(street_code or "", (district_code or street_code or "", label, []))[2].append(
                (pk, code, name))
        _groups_memo.update(at=now, groups=[CommunityGroup(d, label, tuple(items))
                                            for d, label, items in groups.values()])
    return _groups_memo["groups"]


def forget_community_groups(**_kwargs) -> None:
    """A region changed: the next page reads the list again (connected to Region's save and delete)."""
    _groups_memo.update(at=0.0, groups=None)


def community_choices(region_ids=None, *, blank_label: str = "", first_district: str = "") -> list:
    """Communities grouped by district · street, for a <select> with <optgroup>s; limited to `region_ids` if
    given; the streets of `first_district` (a district code: the resident's likely district) come first."""
    wanted = set(region_ids) if region_ids is not None else None
    groups = [g for g in community_groups() if g.district == first_district] + [
        g for g in community_groups() if g.district != first_district]
    choices: list = [("", blank_label or _("Choose your community"))]
    for group in groups:
        items = [(code, name) for pk, code, name in group.communities if wanted is None or pk in wanted]
        if items:
            choices.append((group.label, items))
    return choices


def district_of_community(code: str) -> str:
    """The district code of the community with this code ("" when unknown)."""
    return next((g.district for g in community_groups() if any(c == code for _pk, c, _n in g.communities)), "")


def district_code_of(region: Region | None) -> str:
    """The code of the district `region` lies in ("" when none)."""
    if region is None:
        return ""
    districts = {g.district for g in community_groups()}
    return next((code for code in region.path.strip("/").split("/") if code in districts), "")


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
