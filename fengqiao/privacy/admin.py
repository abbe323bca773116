from django.contrib import admin

from fengqiao.privacy.models import LegalHold, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """How long personal data is kept after closing (defaults: fengqiao/privacy/policy.py)."""

    list_display = ("kind", "service_type", "months", "note")
    list_filter = ("kind",)
    list_editable = ("months",)


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    """Cases whose personal data must be kept whatever the retention (lift a hold by giving its date)."""

    list_display = ("case", "reason", "placed_by", "placed_at", "lifted_at")
    raw_id_fields = ("case",)
    readonly_fields = ("placed_by", "placed_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.placed_by = request.user
        super().save_model(request, obj, form, change)
