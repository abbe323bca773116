"""Rate limits on public pages (django-ratelimit counting in the shared cache), read from settings at call time.

Two kinds of counter:
- `over_limit` counts every attempt (a submission, a booking): True once over the rate.
- `failures_exhausted` / `failure_count` count only failed guesses (a tracking code with wrong digits, a wrong
  password): a person who gets it right is never held up, a guesser is stopped after the rate's number of misses
  whatever IPs the guesses come from (the key is then the case code, the username …).

When a limit is hit, the seconds until the counter's window ends are put on the request
(`request.fq_retry_after`), and the 429 page (fengqiao.intake.views.rate_limited) sends them as Retry-After.
"""

from __future__ import annotations

from django_ratelimit import ALL
from django_ratelimit.core import get_usage, is_ratelimited

DEFAULT_RETRY_AFTER = 600


def _key(value: str | None):
    return "ip" if value is None else (lambda _group, _request: value)


def _note_retry_after(request, usage: dict | None) -> None:
    seconds = max(1, int((usage or {}).get("time_left") or DEFAULT_RETRY_AFTER))
    request.fq_retry_after = max(seconds, getattr(request, "fq_retry_after", 0))


def over_limit(request, *, group: str, rate: str, value: str | None = None) -> bool:
    """Count one attempt for `group` by IP (or by `value`, e.g. a phone number); True once over `rate`."""
    limited = is_ratelimited(request, group=group, key=_key(value), rate=rate, method=ALL, increment=True)
    if limited:
        _note_retry_after(request, get_usage(request, group=group, key=_key(value), rate=rate, method=ALL))
    return limited


def failures_exhausted(request, *, group: str, rate: str, value: str | None = None) -> bool:
    """True when `rate`'s number of failures for `group` (by IP, or by `value`) has been reached in its window."""
    usage = get_usage(request, group=group, key=_key(value), rate=rate, method=ALL, increment=False)
    if usage is None:  # rate limiting switched off (RATELIMIT_ENABLE)
        return False
    if usage["count"] >= usage["limit"]:
        _note_retry_after(request, usage)
        return True
    return False


def failure_count(request, *, group: str, rate: str, value: str | None = None) -> None:
    """Count one failed attempt for `group` (by IP, or by `value`)."""
    get_usage(request, group=group, key=_key(value), rate=rate, method=ALL, increment=True)
