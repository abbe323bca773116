"""How long a staff member's session lasts: ended after a spell without requests and, in any case, some hours
after signing in. Residents keep Django's ordinary session (SESSION_COOKIE_AGE).

`session_end_reason` is the rule (plain values, no database); `StaffSessionLimitMiddleware` applies it
(settings FQ_STAFF_IDLE_MINUTES, FQ_STAFF_SESSION_HOURS).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext

from fengqiao.accounts.otp import is_staff_account

SIGNED_IN_AT = "fq_signed_in_at"  # epoch seconds of the first request after signing in
LAST_SEEN = "fq_last_seen"  # epoch seconds of the last request (written at most every TOUCH_SECONDS)
TOUCH_SECONDS = 60

IDLE = "idle"
ABSOLUTE = "absolute"


def session_end_reason(*, now: float, signed_in_at: float, last_seen: float, idle_seconds: int,
                       absolute_seconds: int) -> str | None:
    """IDLE when nothing was asked for `idle_seconds`, ABSOLUTE when `absolute_seconds` have passed since signing
    in, else None (the session goes on)."""
    if now - signed_in_at >= absolute_seconds:
        return ABSOLUTE
    if now - last_seen >= idle_seconds:
        return IDLE
    return None


class StaffSessionLimitMiddleware:
    """Ends a staff session that was idle too long or is older than the absolute limit; the person signs in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_staff_account(user):
            ended = self._check(request)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _check(self, request) -> HttpResponse | None:
        session = request.session
        now = timezone.now().timestamp()
        idle = settings.FQ_STAFF_IDLE_MINUTES * 60
        signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
        if signed_in_at is None or last_seen is None:
            session[SIGNED_IN_AT] = session[LAST_SEEN] = now
            session.set_expiry(2 * idle + TOUCH_SECONDS)
            return None
        reason = session_end_reason(now=now, signed_in_at=signed_in_at, last_seen=last_seen, idle_seconds=idle,
                                    absolute_seconds=settings.FQ_STAFF_SESSION_HOURS * 3600)
        if reason is None:
            if now - last_seen >= TOUCH_SECONDS:
                session[LAST_SEEN] = now
                # The stored session outlives the idle limit a little, so the person is told why it ended;
                # after twice the limit it is gone from the store too.
                session.set_expiry(2 * idle + TOUCH_SECONDS)
            return None
        logout(request)
        if reason == IDLE:
            minutes = settings.FQ_STAFF_IDLE_MINUTES
            text = ngettext("You were signed out after %(n)d minute without activity. Please sign in again.",
                            "You were signed out after %(n)d minutes without activity. Please sign in again.",
                            minutes) % {"n": minutes}
        else:
            hours = settings.FQ_STAFF_SESSION_HOURS
            text = ngettext("A staff session lasts at most %(n)d hour. Please sign in again.",
                            "A staff session lasts at most %(n)d hours. Please sign in again.", hours) % {"n": hours}
        messages.info(request, text)
        next_url = request.get_full_path() if request.method == "GET" else reverse("core:home")
        target = f"{reverse('accounts:login')}?{urlencode({'next': next_url})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
