"""Import mappings are edited by administrators; batches and rows are read-only records."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.imports.models import ImportBatch, ImportMapping


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "district_code", "default_service_type", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "original_name", "mapping", "status", "row_count", "created_count", "duplicate_count",
                    "rejected_count", "uploaded_by", "created_at")
    list_filter = ("status", "mapping")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
