from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login

from fengqiao.accounts.otp import current_token, device_for, is_staff_account


class FqLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
        error_messages={
            "required": gettext_lazy("Enter the 6-digit code from your authenticator app."),
            "min_length": gettext_lazy("The code has 6 digits."),
            "max_length": gettext_lazy("The code has 6 digits."),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return settings.LOGIN_REDIRECT_URL


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code; on first use, enrol a device by showing its QR code."""
    if not is_staff_account(request.user) or request.user.is_verified():
        return redirect(_safe_next(request))
    device = device_for(request.user, create=True)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Signed in."))
            return redirect(_safe_next(request))
        form.add_error("token", _("That code is not right or has expired. Try the current one."))
    context = {
        "form": form,
        "enrol": not device.confirmed,
        "next": _safe_next(request),
        "demo_token": current_token(device) if settings.FQ_DEMO else None,
    }
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = _base32(device.bin_key)
    return render(request, "accounts/second_factor.html", context)


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")
