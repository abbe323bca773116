"""The administrator's pages for region outlines: the tree of their regions, and one region's outline (upload,
see on a map, remove, history).

Thin: the checks are fengqiao.org.boundaries, the writes fengqiao.org.boundary_services. The pages are for holders
of org.admin (404 for everyone else, as elsewhere); a region outside the administrator's regions does not exist
for them (404).
"""

from __future__ import annotations

import shapely
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.org import boundaries, boundary_services
from fengqiao.org.access import Capability, may
from fengqiao.org.models import BoundaryChange, Region

HISTORY = 20


class BoundaryForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("GeoJSON file"),
        help_text=gettext_lazy(
            "A Feature, a FeatureCollection or a Polygon/MultiPolygon, longitude first, at most 5 MB."
        ),
    )
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate system of the file"),
        choices=[
            (boundaries.AUTO, gettext_lazy("As the file says (WGS84 if it says nothing)")),
            (boundaries.WGS84, gettext_lazy("WGS84 (GPS, OpenStreetMap, Tianditu CGCS2000)")),
            (boundaries.GCJ02, gettext_lazy("GCJ-02 (Amap, Tencent maps: converted to WGS84)")),
        ],
        initial=boundaries.AUTO,
    )


def _admin(request: HttpRequest) -> None:
    if not may(request.user, Capability.ORG_ADMIN):
        raise Http404(_("This page is for system administrators."))


def _region(request: HttpRequest, code: str) -> Region:
    region = boundary_services.administered_regions(request.user).select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404(_("No such region among the ones you administer."))
    return region


@login_required
@require_GET
def region_tree(request: HttpRequest) -> HttpResponse:
    """The administrator's regions as a tree: which have an outline, a point, how many children."""
    _admin(request)
    rows = list(
        boundary_services.administered_regions(request.user)
        .defer("boundary")
        .annotate(
            has_boundary=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField()),
            children_count=Count("children"),
        )
        .order_by("path")
    )
    depth0 = min((r.path.count("/") for r in rows), default=0)
    for row in rows:
        row.depth = row.path.count("/") - depth0
    totals = {
        "regions": len(rows),
        "outlines": sum(1 for r in rows if r.has_boundary),
        "points": sum(1 for r in rows if r.latitude is not None and r.longitude is not None),
    }
    return render(request, "org/regions.html", {"rows": rows, "totals": totals})


def _page(
    request: HttpRequest,
    region: Region,
    form: BoundaryForm,
    *,
    refused: boundaries.BoundaryRefused | None = None,
    status: int = 200,
):
    outline = None
    if region.boundary:
        from shapely.geometry import shape

        geom = shape(region.boundary)
        outline = {
            "vertices": int(shapely.get_num_coordinates(geom)),
            "area_km2": boundaries.area_km2(geom),
            "sha256": boundaries.geometry_hash(region.boundary),
        }
    parent_boundary = region.parent.boundary if region.parent is not None and region.level != "city" else None
    history = BoundaryChange.objects.filter(region=region).select_related("actor")[:HISTORY]
    return render(
        request,
        "org/region_boundary.html",
        {
            "region": region,
            "form": form,
            "outline": outline,
            "refused": refused.message() if refused is not None else "",
            "refused_drawn": refused is not None and refused.geometry is not None,
            "history": history,
            "map_data": {
                "boundary": region.boundary,
                "parent": parent_boundary,
                "point": [region.latitude, region.longitude] if region.latitude is not None else None,
                "refused": refused.geometry if refused is not None else None,
            },
            "limits": {"mb": boundaries.MAX_BYTES // 1048576, "vertices": boundaries.MAX_VERTICES},
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def region_boundary(request: HttpRequest, code: str) -> HttpResponse:
    """One region's outline: the map, the upload form, the history. A refused upload changes nothing."""
    _admin(request)
    region = _region(request, code)
    if request.method == "GET":
        return _page(request, region, BoundaryForm())
    form = BoundaryForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, region, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        boundaries.check_size(upload.size or 0)  # before reading it all
        outline = boundary_services.outline_for(region, upload.read(), form.cleaned_data["crs"])
    except boundaries.BoundaryRefused as refusal:
        return _page(request, region, form, refused=refusal, status=400)
    boundary_services.boundary_set(
        region=region, outline=outline, actor=request.user, via="page", file_name=upload.name or ""
    )
    text = _("Outline of %(region)s loaded: %(vertices)s points, %(area)s km².") % {
        "region": region.name,
        "vertices": outline.vertices,
        "area": f"{outline.area_km2:.2f}",
    }
    if outline.crs == boundaries.GCJ02:
        text += " " + _("Converted from GCJ-02 to WGS84.")
    if outline.simplified_m:
        text += " " + _("Simplified from %(before)s points (tolerance %(metres)s m).") % {
            "before": outline.input_vertices,
            "metres": outline.simplified_m,
        }
    messages.success(request, text)
    return redirect(reverse("org:region_boundary", args=[region.code]))


@login_required
@require_POST
def region_boundary_remove(request: HttpRequest, code: str) -> HttpResponse:
    _admin(request)
    region = _region(request, code)
    if boundary_services.boundary_remove(region=region, actor=request.user, via="page") is None:
        messages.info(request, _("%(region)s has no outline to remove.") % {"region": region.name})
    else:
        messages.success(
            request,
            _("Outline of %(region)s removed. The map shows it as a labelled point again.") % {"region": region.name},
        )
    return redirect(reverse("org:region_boundary", args=[region.code]))
