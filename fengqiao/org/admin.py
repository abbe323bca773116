"""Administration of the organisation tree: regions, units, service points and memberships.

Forms check input with the same rules the services apply (fengqiao.org.rules via
fengqiao.org.services), so a bad code, a cycle in the tree or a role that does not
fit a unit comes back as a message on the field; saving goes through the services
(region_save, unit_save, service_point_save, membership_grant), so paths stay right.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.admin_site import add_service_errors
from fengqiao.intake import qr
from fengqiao.org.models import Membership, OrgUnit, Region, ServicePoint
from fengqiao.org.rules import role_unit_error
from fengqiao.org.services import (
    membership_grant,
    region_save,
    region_validate,
    service_point_save,
    unit_save,
    unit_validate,
)


def report_url(point: ServicePoint) -> str:
    """What a service point's QR code opens: the public intake form with this place filled in."""
    return qr.report_url(point=point.token)


# --- regions -------------------------------------------------------------------
class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "case_prefix", "boundary", "latitude", "longitude"]

    def clean(self):
        data = super().clean()
        code = data.get("code", self.instance.code if self.instance.pk else None)
        level = data.get("level")
        if not code or not level or "parent" in self.errors:
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", _("A region needs a name."))
        try:
            region_validate(
                code=code, level=level, parent=data.get("parent"), instance=self.instance if self.instance.pk else None
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent", "case_prefix"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the region's identity (printed on forms, carried in paths): fixed once created.
        return ["code", "path"] if obj else ["path"]

    def save_model(self, request, obj, form, change):
        region = region_save(
            code=obj.code,
            name=obj.name,
            level=obj.level,
            parent=obj.parent,
            case_prefix=obj.case_prefix,
            boundary=obj.boundary,
            latitude=obj.latitude,
            longitude=obj.longitude,
        )
        obj.pk, obj.path = region.pk, region.path


# --- org units -----------------------------------------------------------------
class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "short_name", "kind", "region", "parent", "domain_hint", "source", "is_active"]

    def clean(self):
        data = super().clean()
        if not data.get("kind") or "parent" in self.errors:
            return data
        try:
            unit_validate(
                kind=data["kind"], parent=data.get("parent"), instance=self.instance if self.instance.pk else None
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    form = OrgUnitForm
    list_display = ["name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "region__name"]
    autocomplete_fields = ["region", "parent"]
    list_select_related = ["region", "parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        if change and {"name", "region"} & set(form.changed_data):
            # unit_save finds a unit by (region, name): move the row to its new name first.
            OrgUnit.objects.filter(pk=obj.pk).update(name=obj.name, region=obj.region)
        unit = unit_save(
            name=obj.name,
            kind=obj.kind,
            region=obj.region,
            parent=obj.parent,
            short_name=obj.short_name,
            domain_hint=obj.domain_hint,
            source=obj.source,
        )
        OrgUnit.objects.filter(pk=unit.pk).update(is_active=obj.is_active)
        obj.pk, obj.path = unit.pk, unit.path


# --- service points --------------------------------------------------------------
class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["name", "level", "place_kind", "region", "unit", "address", "latitude", "longitude", "is_active"]

    def clean(self):
        data = super().clean()
        region, unit = data.get("region"), data.get("unit")
        if region is not None and unit is not None and not region.path.startswith(unit.region.path):
            self.add_error("unit", _("The operating unit must serve the point's region."))
        return data


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    form = ServicePointForm
    list_display = ["name", "level", "place_kind", "region", "unit", "is_active", "qr_link"]
    list_filter = ["level", "place_kind", "is_active"]
    search_fields = ["name", "address", "region__name"]
    autocomplete_fields = ["region", "unit"]
    list_select_related = ["region", "unit"]
    readonly_fields = ["qr_preview"]

    def get_urls(self):
        return [
            path("<int:pk>/qr.svg", self.admin_site.admin_view(self.qr_svg), name="org_servicepoint_qr"),
            *super().get_urls(),
        ]

    def qr_svg(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The QR code as an SVG file, for printing on the station's poster."""
        point = get_object_or_404(ServicePoint, pk=pk)
        if not self.has_view_permission(request, point):
            return HttpResponse(status=403)
        response = HttpResponse(qr.svg_bytes(report_url(point)), content_type="image/svg+xml")
        response["Content-Disposition"] = f'inline; filename="service-point-{point.pk}-qr.svg"'
        return response

    @admin.display(description=gettext_lazy("QR code"))
    def qr_link(self, point: ServicePoint) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:org_servicepoint_qr", args=[point.pk]),
            _("QR code (SVG)"),
        )

    @admin.display(description=gettext_lazy("QR code"))
    def qr_preview(self, point: ServicePoint) -> str:
        if not point.pk:
            return _("The QR code appears once the service point is saved.")
        url = report_url(point)
        return format_html(
            '<div class="fq-qr" style="width:12rem;max-width:100%" role="img" aria-label="{}">{}</div><p>{}<br><code>{}</code></p><p><a href="{}" download>{}</a></p>',
            _("QR code that opens the intake form for this service point"),
            mark_safe(qr.make_code(url).svg_inline(scale=4, omitsize=True, light="#fff")),  # noqa: S308 (our own SVG)
            _("It opens:"),
            url,
            reverse("admin:org_servicepoint_qr", args=[point.pk]),
            _("Download the QR code (SVG) for printing"),
        )

    def save_model(self, request, obj, form, change):
        if change and {"name", "region"} & set(form.changed_data):
            ServicePoint.objects.filter(pk=obj.pk).update(name=obj.name, region=obj.region)
        point = service_point_save(
            name=obj.name,
            level=obj.level,
            region=obj.region,
            unit=obj.unit,
            place_kind=obj.place_kind,
            address=obj.address,
            latitude=obj.latitude,
            longitude=obj.longitude,
        )
        ServicePoint.objects.filter(pk=point.pk).update(is_active=obj.is_active)
        obj.pk, obj.token = point.pk, point.token


# --- memberships -------------------------------------------------------------------
class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "unit", "role", "title", "is_active"]

    def clean(self):
        data = super().clean()
        unit, role = data.get("unit"), data.get("role")
        if unit is not None and role:
            error = role_unit_error(role=role, unit_kind=unit.kind)
            if error:
                self.add_error("role", error)
        return data


def membership_save(obj: Membership, changed: list[str]) -> Membership:
    """Save an admin-edited membership through membership_grant (which checks the role against the unit)."""
    if obj.pk and {"user", "unit", "role"} & set(changed):
        # membership_grant finds a membership by (user, unit, role): move the row first.
        Membership.objects.filter(pk=obj.pk).update(user=obj.user, unit=obj.unit, role=obj.role)
    granted = membership_grant(user=obj.user, unit=obj.unit, role=obj.role, title=obj.title)
    if not obj.is_active:
        Membership.objects.filter(pk=granted.pk).update(is_active=False)
    obj.pk = granted.pk
    return granted


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "unit", "role", "title", "is_active", "created_at"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["user__username", "user__name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def save_model(self, request, obj, form, change):
        membership_save(obj, form.changed_data)


class MembershipInline(admin.TabularInline):
    """Memberships on the user page: which units the person works in, in which role."""

    model = Membership
    form = MembershipForm
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "title", "is_active"]
