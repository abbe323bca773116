"""Administration of QR places (buildings with their own code); saving goes through fengqiao.intake.qr.qr_place_save."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fengqiao.intake import qr
from fengqiao.intake.models import GridReport
from fengqiao.org.models import QrPlace


@admin.register(QrPlace)
class QrPlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "service_point", "is_active", "code_link")
    list_filter = ("is_active",)
    search_fields = ("name", "address")
    raw_id_fields = ("region", "service_point")
    readonly_fields = ("token", "code_link")
    fields = ("name", "address", "region", "service_point", "latitude", "longitude", "is_active", "token", "code_link")

    @admin.display(description=_("QR code"))
    def code_link(self, obj: QrPlace) -> str:
        if not obj.pk:
            return "—"
        url = qr.report_url(place=obj.token)
        return format_html('<a href="/qr/place/{}.svg">SVG</a> · <a href="/qr/place/{}.png">PNG</a> · {}',
                           obj.token, obj.token, url)

    def save_model(self, request, obj: QrPlace, form, change) -> None:
        if change:
            obj.save()  # a rename keeps the token (printed codes stay valid)
            return
        saved = qr.qr_place_save(name=obj.name, region=obj.region, address=obj.address, service_point=obj.service_point,
                                 latitude=obj.latitude, longitude=obj.longitude)
        obj.pk, obj.token = saved.pk, saved.token


@admin.register(GridReport)
class GridReportAdmin(admin.ModelAdmin):
    list_display = ("case", "patrol_type", "created_at")
    list_filter = ("patrol_type",)
    raw_id_fields = ("case",)

    def has_add_permission(self, request) -> bool:
        return False
