from django.contrib import admin

from fengqiao.sla.models import CalendarOverride, Deadline, DeadlinePolicy


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ("grade", "step", "amount", "unit", "remind_before_minutes", "escalate_after_minutes")
    list_filter = ("grade", "step")
    list_editable = ("amount", "unit", "remind_before_minutes", "escalate_after_minutes")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "is_working", "note")
    list_filter = ("is_working",)
    date_hierarchy = "day"


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """Read-only: deadlines follow the cases; change the policy instead."""

    list_display = ("case", "step", "state", "due_at", "reminded_at", "alerted_at", "escalated_at")
    list_filter = ("state", "step")
    list_select_related = ("case",)
    raw_id_fields = ("case",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
