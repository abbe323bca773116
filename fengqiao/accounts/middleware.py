from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from fengqiao.accounts.otp import needs_second_factor

OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/favicon.ico", "/accounts/2fa", "/accounts/logout")


class StaffSecondFactorMiddleware:
    """Staff who signed in with a password reach nothing but the 2FA page until they pass it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.FQ_STAFF_2FA and needs_second_factor(request.user) and not request.path.startswith(OPEN_PREFIXES):
            return redirect(f"{reverse('accounts:2fa')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
