"""Petitions in the admin: read-only (every change goes through the services, with its timeline step)."""

from django.contrib import admin

from fengqiao.petitions.models import Petition


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ("number", "case", "office", "organ", "state", "due_on")
    list_filter = ("state", "form")
    search_fields = ("number", "case__code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
