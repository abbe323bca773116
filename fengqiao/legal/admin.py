"""The legal routes in the admin: read-only (every change goes through fengqiao.legal.services, which writes the
case's timeline); the administrator reads no case, so only superusers holding case rights would look here."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.legal.models import ConfirmationApplication, Linkage, Referral


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConfirmationApplication)
class ConfirmationApplicationAdmin(ReadOnly):
    list_display = ("agreement", "court", "status", "filed_at", "accept_due_at", "decide_due_at", "ruling_number")
    list_filter = ("status", "court")


@admin.register(Referral)
class ReferralAdmin(ReadOnly):
    list_display = ("case", "kind", "to_unit", "status", "sent_at", "receive_due_at", "outcome")
    list_filter = ("kind", "status")


@admin.register(Linkage)
class LinkageAdmin(ReadOnly):
    list_display = ("case", "kind", "pre_litigation", "from_unit", "to_unit", "status", "sent_at", "due_at")
    list_filter = ("kind", "status", "pre_litigation")
