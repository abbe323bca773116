"""The administration site: Django's admin, reachable only after the second factor.

Installed in place of ``django.contrib.admin`` (settings.INSTALLED_APPS names
``fengqiao.accounts.apps.FqAdminConfig``), so ``admin.site`` everywhere is an ``FqAdminSite``. Even when
``FQ_STAFF_2FA`` is relaxed for a local demo, the administration still asks for the code.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class FqAdminSite(AdminSite):
    site_header = _("Fengqiao administration")
    site_title = _("Fengqiao administration")
    index_title = _("Organisation, users and rules")

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_verified", lambda: False)())

    def login(self, request, extra_context=None):
        """Sign in through the platform's own pages: password, then the one-time code."""
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("accounts:login"))
        if user.is_staff and not user.is_verified():
            return redirect(f"{reverse('accounts:2fa')}?{urlencode({'next': next_url})}")
        return super().login(request, extra_context)


def add_service_errors(form, exc) -> None:
    """Put a service's ValidationError on the form: on the named fields it has, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
