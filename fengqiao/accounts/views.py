from __future__ import annotations

import base64
import logging
import math

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from fengqiao.accounts.otp import code_was_used, demo_code, device_for, is_staff_account
from fengqiao.accounts.recovery import recovery_allowed, recovery_code_use, recovery_codes_issue, recovery_device
from fengqiao.accounts.recovery import remaining as recovery_remaining
from fengqiao.intake.limits import failure_count, failures_exhausted
from fengqiao.intake.views import rate_limited

log = logging.getLogger("fengqiao.accounts")
NEW_CODES_SESSION_KEY = "fq_new_recovery_codes"


LOGIN_IP_GROUP = "accounts.login.ip"


def account_locked(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked username (settings.AXES_LOCKOUT_CALLABLE): 429 in both languages, with
    Retry-After the cool-off time (the lock holds whichever IP asks)."""
    texts = []
    for code in ("zh-hans", "en"):
        with translation.override(code):
            texts.append({"lang": code, "title": _("Too many attempts"), "body": _(
                "This account is locked for a while after several wrong passwords. Try again later or ask an "
                "administrator to unlock it.")})
    response = render(request, "accounts/locked_out.html", {"texts": texts}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME * 3600))
    return response


class FqLoginView(auth_views.LoginView):
    """Password sign-in. django-axes locks a username after AXES_FAILURE_LIMIT wrong passwords from any IPs; here
    one IP that has failed FQ_RATE_LOGIN_IP times (whatever usernames it tried) must wait before trying again."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if failures_exhausted(request, group=LOGIN_IP_GROUP, rate=settings.FQ_RATE_LOGIN_IP):
            log.warning("sign-in refused: too many failed sign-ins from this IP")
            return rate_limited(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        failure_count(self.request, group=LOGIN_IP_GROUP, rate=settings.FQ_RATE_LOGIN_IP)
        return super().form_invalid(form)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "maxlength": "6",
                "class": "otp-input",
            }
        ),
        error_messages={
            "required": gettext_lazy("Enter the 6-digit code from your authenticator app."),
            "min_length": gettext_lazy("The code has 6 digits."),
            "max_length": gettext_lazy("The code has 6 digits."),
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return token


def _safe_next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return settings.LOGIN_REDIRECT_URL


def _throttle_message(device) -> str | None:
    """Why the device will not check a code right now (too many wrong codes), or None."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return _("Too many wrong codes. Wait a moment and try again.")
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Too many wrong codes. Try again in %(n)d second.", "Too many wrong codes. Try again in %(n)d seconds.", seconds
    ) % {"n": seconds}


def _wrong_code_message(device, token: str) -> str:
    if code_was_used(device, token):
        # Right code, but already used to sign in (a code works once): only the next one will do.
        return _("That code has already been used; each code works once. Wait for the next code and enter it.")
    return _("That code is not right or has expired. Try the current one.")


@never_cache
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code; on first use, enrol a device by showing its QR code."""
    if not is_staff_account(request.user) or request.user.is_verified():
        return redirect(_safe_next(request))
    device = device_for(request.user, create=True)
    recovering = request.method == "POST" and "recovery_code" in request.POST
    form = TokenForm(request.POST if request.method == "POST" and not recovering else None)
    recovery_form = RecoveryForm(request.POST if recovering else None)
    throttled = None
    if recovering and device.confirmed and recovery_form.is_valid():
        static = recovery_device(request.user)
        throttled = None if recovery_allowed(static) else _throttle_message(static)
        if throttled is None:
            used = recovery_code_use(user=request.user, code=recovery_form.cleaned_data["recovery_code"])
            if used is not None:
                otp_login(request, used)
                left = recovery_remaining(request.user)
                messages.warning(request, ngettext(
                    "Signed in with a recovery code. It cannot be used again; %(n)d code is left.",
                    "Signed in with a recovery code. It cannot be used again; %(n)d codes are left.", left,
                ) % {"n": left})
                return redirect(_safe_next(request))
            recovery_form.add_error("recovery_code", _("That recovery code is not right or was already used."))
    if request.method == "POST" and not recovering and form.is_valid():
        throttled = _throttle_message(device)
        if throttled is None and device.verify_token(form.cleaned_data["token"]):
            enrolled_now = not device.confirmed
            if enrolled_now:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Signed in."))
            if enrolled_now:  # the recovery codes are shown once, on the next page
                request.session[NEW_CODES_SESSION_KEY] = recovery_codes_issue(user=request.user)
                return redirect(f"{reverse('accounts:recovery')}?{urlencode({'next': _safe_next(request)})}")
            return redirect(_safe_next(request))
        if throttled is None:
            form.add_error("token", _wrong_code_message(device, form.cleaned_data["token"]))
    if form.errors:
        form.fields["token"].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "token-error"})
    context = {
        "form": form,
        "recovery_form": recovery_form,
        "enrol": not device.confirmed,
        "next": _safe_next(request),
        "throttled": throttled,
        "demo": demo_code(device) if settings.FQ_DEMO else None,
    }
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True, light="#fff")
        context["secret"] = base32_secret(device.bin_key)
    return render(request, "accounts/second_factor.html", context)


def base32_secret(key: bytes) -> str:
    """The key as authenticator apps take it when typed in (RFC 4648 base32, no padding)."""
    return base64.b32encode(key).decode().rstrip("=")


class RecoveryForm(forms.Form):
    recovery_code = forms.CharField(
        label=gettext_lazy("Recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
        error_messages={"required": gettext_lazy("Enter one of your recovery codes.")},
    )


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes: how many are left, a new set on request; a new set is shown here once."""
    if not is_staff_account(request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not request.user.is_verified():
        return redirect(f"{reverse('accounts:2fa')}?{urlencode({'next': request.get_full_path()})}")
    if request.method == "POST":
        request.session[NEW_CODES_SESSION_KEY] = recovery_codes_issue(user=request.user)
        messages.success(request, _("New recovery codes were made; the old ones no longer work."))
        return redirect(f"{reverse('accounts:recovery')}?{urlencode({'next': _safe_next(request)})}")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(request, "accounts/recovery_codes.html", {
        "codes": codes, "remaining": recovery_remaining(request.user), "next": _safe_next(request),
    })
