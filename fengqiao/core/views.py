from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fengqiao.core.health import check_database, check_queue
from fengqiao.core.home import home_sections


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the task queue answer; 503 naming the part that failed."""
    checks = {"database": check_database(), "queue": check_queue()}
    ok = all(error is None for error in checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {name: ({"ok": True} if error is None else {"ok": False, "error": error}) for name, error in checks.items()},
    }
    return JsonResponse(body, status=200 if ok else 503)


def home(request: HttpRequest) -> HttpResponse:
    """`/`: for a visitor, the resident portal (staff sign in from there); signed in, what needs their action now."""
    if not request.user.is_authenticated:
        from fengqiao.intake.views import portal

        return portal(request)
    return render(request, "core/home.html", {"sections": home_sections(request.user)})
