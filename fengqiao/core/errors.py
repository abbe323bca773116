"""Error pages people can read (404, 403, 400, 500) and the favicon.

Django shows its own pages for 404 and 500 when DEBUG is on; a demo runs with DEBUG on, so
``FriendlyNotFoundMiddleware`` shows our 404 there too (a URL list is for developers: set
FQ_DEBUG_404=1 to see Django's). The 500 page is rendered without the request's context
processors and without the database, because either may be what failed.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

FAVICON = Path(__file__).resolve().parent.parent / "static" / "fq" / "favicon.ico"


def _url(name: str, default: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return default


def _render(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, {"status": status, "portal_url": _url("intake:report", "/report/")}, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404, "404.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, "403.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400, "400.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """A standalone page: no context processors (they read the user and the database), no base.html."""
    import sys

    from fengqiao.core.faults import classify, fault_response

    fault = classify(sys.exc_info()[1])  # a locked or lost database, a full disk: a 503 to retry (faults.py)
    if fault is not None:
        return fault_response(request, fault)
    context = {
        "LANG": get_language() or settings.LANGUAGE_CODE,
        "home_url": _url("core:home", "/"),
        "portal_url": _url("intake:report", "/report/"),
    }
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, which browsers ask for on every site whatever the page links."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


class FriendlyNotFoundMiddleware:
    """With DEBUG on, show people the friendly 404 rather than Django's page listing every URL pattern.

    Not used when DEBUG is off (Django calls handler404 itself) or when a developer sets FQ_DEBUG_404=1.
    A view that raises Http404 is caught in process_exception; a URL that matches no pattern never reaches
    a view, so its response (no resolver match) is replaced. Responses a view returns itself (the API's JSON
    404s) are left alone. CommonMiddleware, outside this one, still redirects /path to /path/.
    """

    def __init__(self, get_response):
        if not settings.DEBUG or settings.FQ_DEBUG_404:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return page_not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
