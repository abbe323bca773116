"""The resident's account: sign up with a phone number and a password, and "my cases"."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from fengqiao.cases.models import Case
from fengqiao.cases.workflow import OPEN_STATES
from fengqiao.core.home import RESIDENT_STATUS
from fengqiao.intake.forms import SignupForm
from fengqiao.intake.limits import over_limit
from fengqiao.intake.sms import send_verification_code
from fengqiao.intake.views import rate_limited


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """/my/signup/: an account is the phone number (it is also the user name to sign in with) and a password."""
    if request.user.is_authenticated:
        return redirect("intake:my_cases")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, group="intake.signup.ip", rate=settings.FQ_RATE_SUBMIT_IP):
            return rate_limited(request)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            user = get_user_model().objects.create_user(
                username=phone, phone=phone, name=form.cleaned_data["name"].strip(),
                password=form.cleaned_data["password1"],
            )
            # The SMS hook: a deployment with a gateway sends a code here and asks for it before trusting the number
            # (at most FQ_RATE_SMS_PHONE codes per number, so the form cannot be used to flood a phone).
            if not over_limit(request, group="intake.sms.phone", rate=settings.FQ_RATE_SMS_PHONE, value=phone):
                send_verification_code(phone)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("intake:my_cases")
    return render(request, "intake/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    """/my/: the demands I raised while signed in, newest first."""
    cases = Case.objects.filter(applicant_user=request.user).select_related("region").order_by("-submitted_at")[:200]
    rows = [(c, RESIDENT_STATUS.get(c.status, c.get_status_display()), c.status in OPEN_STATES) for c in cases]
    return render(request, "intake/my_cases.html", {"rows": rows})
