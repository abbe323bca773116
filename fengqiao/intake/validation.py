"""Validation of what residents and partner systems send, with messages a resident understands.

Plain functions: each returns the cleaned value or raises django ValidationError
whose message is translatable (Chinese by default, English with the switch).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Django's own "Ensure this value has at most 100 characters (it has 120)." is written for developers: every
# length limit of the public forms says it in the resident's words (fengqiao.intake.forms.ResidentForm).
TOO_LONG = gettext_lazy("This is too long: you wrote %(show_value)d characters, at most %(limit_value)d fit here. "
                        "Please shorten it.")
TOO_SHORT = gettext_lazy("This is too short: write at least %(limit_value)d characters (you wrote %(show_value)d).")
DESCRIPTION_TOO_LONG = gettext_lazy("The description is too long: you wrote %(show_value)d characters, at most "
                                    "%(limit_value)d fit. Shorten it, or attach a document with the details.")

# The most people one demand may concern (a district's population is of this order): what the API, Open311 and the
# database's integer agree on, so a 40-digit count is a message, not a server error.
MAX_PEOPLE_COUNT = 1_000_000

# Times from outside are clamped into these years: no case lies outside them, so no answer changes, and no
# arithmetic (a 90-day window) or conversion to UTC steps off the calendar (year 1 at +14:00 was a server error).
EARLIEST_DATETIME = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_DATETIME = datetime(9000, 1, 1, tzinfo=UTC)

# A description clean_description surely keeps, as a pattern for documents (JSON Schema, ECMA regex): five
# characters that are neither white space nor control characters before any "<" (what follows a "<" may be a tag,
# which is removed). clean_description itself accepts a little more (text after a closed tag counts).
VISIBLE = "[^\\u0000-\\u0020\\u007f-\\u00a0<\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
DESCRIPTION_PATTERN = f"^(?:[^<]*?{VISIBLE}){{5}}"
# Some character other than white space (a name, a note): what `.strip()` leaves non-empty.
NOT_BLANK_PATTERN = "[^\\s\\u001c-\\u001f\\u0085]"

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def clamp_datetime(value: datetime) -> datetime:
    """An aware datetime moved into [EARLIEST_DATETIME, LATEST_DATETIME] (see there)."""
    return min(max(value, EARLIEST_DATETIME), LATEST_DATETIME)


def clean_phone(raw: str, *, required: bool = True) -> str:
    """A mainland mobile (13812345678, +86 138 1234 5678) or a landline with area code (0755-12345678)."""
    value = re.sub(r"[\s\-()（）]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if not value:
        if required:
            raise ValidationError(_("Please give a phone number so that we can reach you."), code="required")
        return ""
    if not (MOBILE.match(value) or LANDLINE.match(value)):
        raise ValidationError(
            _("“%(phone)s” is not a phone number. Give an 11-digit mobile number or a landline with its area code.")
            % {"phone": raw},
            code="phone",
        )
    return value


def clean_description(raw: str, *, max_length: int = 5000) -> str:
    """Strip control characters and HTML tags; refuse an empty or one-word description."""
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", raw or "")
    value = re.sub(r"<[^>]{0,200}>", "", value).strip()
    if len(value) < 5:
        raise ValidationError(_("Please describe what happened in a few words (at least 5 characters)."), code="short")
    if len(value) > max_length:
        raise ValidationError(
            _("The description is too long (at most %(n)d characters). Attach a document for the details.")
            % {"n": max_length},
            code="long",
        )
    return value


# --- coordinates -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _served_area():
    from shapely.geometry import shape
    from shapely.ops import unary_union

    from fengqiao.org.models import Region, RegionLevel

    shapes = [shape(b) for b in Region.objects.filter(level=RegionLevel.DISTRICT, boundary__isnull=False).values_list(
        "boundary", flat=True)]
    return unary_union(shapes) if shapes else None


def served_area_changed() -> None:
    _served_area.cache_clear()


def clean_coordinates(lat, lng, *, system: str = "wgs84") -> tuple[float, float]:
    """Latitude/longitude as numbers inside a district the platform serves (WGS84 out)."""
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValidationError(_("The position is not a valid latitude and longitude."), code="coordinates") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(_("The position is not a valid latitude and longitude."), code="coordinates")
    if system == "gcj02":
        from fengqiao.org.boundaries import gcj02_to_wgs84  # the one converter; imports shapely, so not at start-up

        lng, lat = gcj02_to_wgs84(lng, lat)
    from shapely.geometry import Point

    area = _served_area()
    if area is not None and not area.buffer(0.002).contains(Point(lng, lat)):
        raise ValidationError(
            _("This place is outside the area we serve. Please choose a place inside the district."), code="outside"
        )
    return round(lat, 6), round(lng, 6)


def region_for_point(lat: float, lng: float):
    """The deepest region whose boundary contains the point (districts only have boundaries today)."""
    from shapely.geometry import Point, shape

    from fengqiao.org.models import Region

    point = Point(lng, lat)
    best = None
    for region in Region.objects.filter(boundary__isnull=False).only("id", "level", "boundary", "path"):
        if shape(region.boundary).contains(point) and (best is None or len(region.path) > len(best.path)):
            best = region
    return best
