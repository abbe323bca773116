"""Administration of the organisation tree: regions, units, service points and memberships.

Forms check input with the same rules the services apply (fengqiao.org.rules via
fengqiao.org.services), so a bad code, a cycle in the tree or a role that does not
fit a unit comes back as a message on the field; saving goes through the services
(region_save, unit_save, service_point_save), so paths stay right; memberships go through
fengqiao.org.grants (a request a second person approves: separation of duties).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.admin_site import add_service_errors
from fengqiao.intake import qr
from fengqiao.org.grants import (
    membership_request,
    membership_request_check,
    membership_revoke,
    membership_title,
)
from fengqiao.org.models import GrantRequest, Membership, OrgUnit, Region, ServicePoint
from fengqiao.org.rules import role_unit_error
from fengqiao.org.services import (
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
        # The outline is not edited here as raw JSON: /org/regions/<code>/boundary/ and `load_boundary` validate it,
        # convert GCJ-02 and record the change (org/boundaries.py, org/boundary_services.py).
        fields = ["code", "name", "level", "parent", "case_prefix", "latitude", "longitude"]

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


# --- memberships -------------------------------------------------------------------------------------------------
# Separation of duties (fengqiao.org.duties): a membership added here is a request that waits for a security officer
# who neither asked for it nor receives it (/org/grants/); nobody asks for their own; taking a role away says why.
# Unit and role of an existing membership are fixed (a different role is a new request); nothing is deleted.
class MembershipForm(forms.ModelForm):
    reason = forms.CharField(
        label=gettext_lazy("why"), max_length=300, required=False,
        help_text=gettext_lazy("Why the person needs this role, or why it is taken away. Recorded for the auditor."),
    )
    actor = None  # the signed-in person, set by the admin (MembershipAdmin.get_form, MembershipInline.get_formset)

    class Meta:
        model = Membership
        fields = ["user", "unit", "role", "title", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("user", "unit", "role"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def _subject(self, data):
        return data.get("user") or getattr(self.instance, "user", None)

    def clean(self):
        data = super().clean()
        unit, role, user = data.get("unit"), data.get("role"), self._subject(data)
        if self.instance.pk and not self.has_changed():
            return data
        if unit is None or not role or user is None:
            return data
        error = role_unit_error(role=role, unit_kind=unit.kind)
        if error:
            self.add_error("role", error)
            return data
        asks = data.get("is_active") and (not self.instance.pk or not self.initial.get("is_active"))
        revokes = self.instance.pk and self.initial.get("is_active") and not data.get("is_active")
        if asks:
            try:
                membership_request_check(actor=self.actor, user=user, unit=unit, role=role)
            except ValidationError as exc:
                add_service_errors(self, exc)
                return data
        if (asks or revokes) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the person needs the role.") if asks
                           else _("Say why the role is taken away."))
        return data


def membership_admin_save(form: MembershipForm, actor, *, user=None) -> tuple[Membership | None, GrantRequest | None]:
    """Save one admin membership form through fengqiao.org.grants: a new or re-activated membership becomes a request,
    a de-activated one is revoked, a changed title is just changed. (membership or None, request or None)."""
    obj: Membership = form.instance
    data = form.cleaned_data
    user = user or data.get("user") or obj.user
    reason = (data.get("reason") or "").strip()
    if not obj.pk:
        if not data.get("is_active"):
            return None, None  # an inactive new row gives nothing: nothing to ask for
        return None, membership_request(actor=actor, user=user, unit=data["unit"], role=data["role"],
                                        title=data.get("title", ""), reason=reason)
    current = Membership.objects.get(pk=obj.pk)
    request = None
    if "title" in form.changed_data:
        membership_title(membership=current, title=data.get("title", ""))
    if current.is_active and not data.get("is_active"):
        membership_revoke(actor=actor, membership=current, reason=reason)
    elif not current.is_active and data.get("is_active"):
        request = membership_request(actor=actor, user=current.user, unit=current.unit, role=current.role,
                                     title=data.get("title", current.title), reason=reason)
    obj.refresh_from_db()
    return obj, request


def pending_message(request: HttpRequest, grant: GrantRequest) -> None:
    messages.info(request, _(
        "Asked: %(role)s in %(unit)s for %(user)s. The role takes effect when a security officer (not you, not "
        "them) approves it."
    ) % {"role": grant.get_role_display(), "unit": grant.unit, "user": grant.user})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "unit", "role", "title", "is_active", "created_at"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["user__username", "user__name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]
    actions = None  # no bulk delete: a role is taken away (recorded), never deleted

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        _membership, grant = membership_admin_save(form, request.user)
        if grant is not None:
            pending_message(request, grant)

    def log_addition(self, request, obj, message):
        if obj.pk is not None:  # a request is not a membership yet; the grant record holds it
            super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(reverse("admin:org_grantrequest_changelist"))
        return super().response_add(request, obj, post_url_continue)


class MembershipInline(admin.TabularInline):
    """Memberships on the user page: which units the person works in, in which role (new ones wait for approval)."""

    model = Membership
    form = MembershipForm
    fk_name = "user"
    extra = 0
    can_delete = False
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "title", "is_active", "reason"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"actor": request.user})
        return formset


@admin.register(GrantRequest)
class GrantRequestAdmin(admin.ModelAdmin):
    """Roles asked for, read-only here: a security officer decides at /org/grants/ (with the second factor)."""

    list_display = ["user", "unit", "role", "status", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "role"]
    search_fields = ["user__username", "user__name", "unit__name"]
    list_select_related = ["user", "unit", "requested_by", "decided_by"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
