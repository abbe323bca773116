"""QR codes: single codes (public: they are printed on walls anyway) and the sheets staff print."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from fengqiao.intake import qr
from fengqiao.org.access import scope_for
from fengqiao.org.models import QrPlace, Region, RegionLevel, ServicePoint

FORMATS = {"svg": ("image/svg+xml", qr.svg_bytes), "png": ("image/png", qr.png_bytes)}


@require_GET
@cache_control(public=True, max_age=3600)
def qr_code(request: HttpRequest, kind: str, token: str, fmt: str) -> HttpResponse:
    """/qr/point/<token>.svg|.png and /qr/place/<token>.svg|.png."""
    model = {"point": ServicePoint, "place": QrPlace}[kind]
    if not model.objects.filter(token=token, is_active=True).exists():
        raise Http404(_("No such QR code."))
    content_type, render_code = FORMATS[fmt]
    url = qr.report_url(point=token) if kind == "point" else qr.report_url(place=token)
    response = HttpResponse(render_code(url), content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="fengqiao-{kind}-{token}.{fmt}"'
    return response


def _printing_region(request: HttpRequest) -> Region | None:
    if not request.user.is_superuser and not scope_for(request.user).grants:
        raise PermissionDenied(_("Only staff print QR codes."))
    code = request.GET.get("region", "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(_("Unknown region."))
    return region


@login_required
@require_GET
def qr_sheet(request: HttpRequest) -> HttpResponse:
    """/qr/?region=<code>: the codes of a region on screen, with their links and the PDF to print."""
    region = _printing_region(request)
    items = qr.printables(region)
    regions = Region.objects.filter(level__in=[RegionLevel.DISTRICT, RegionLevel.STREET]).order_by("code")
    return render(request, "intake/qr_sheet.html", {"items": items, "region": region, "regions": regions})


@login_required
@require_GET
def qr_sheet_pdf(request: HttpRequest) -> HttpResponse:
    """/qr/sheet.pdf?region=<code>: an A4 sheet (3 × 4 codes a page) with each place's name under its code."""
    region = _printing_region(request)
    items = qr.printables(region)
    title = _("Scan to raise a demand — %(place)s") % {"place": region.name if region else _("all places")}
    pdf = qr.sheet_pdf(items, title=title, hint=_("Fengqiao citizen demand service platform · scan with your phone"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="fengqiao-qr-{region.code if region else "all"}.pdf"'
    return response
