"""Rate limits on public pages (django-ratelimit counting in the shared cache), read from settings at call time."""

from __future__ import annotations

from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited


def over_limit(request, *, group: str, rate: str, value: str | None = None) -> bool:
    """Count one attempt for `group` by IP (or by `value`, e.g. a phone number); True once over `rate`."""
    key = "ip" if value is None else (lambda _group, _request: value)
    return is_ratelimited(request, group=group, key=key, rate=rate, method=ALL, increment=True)
