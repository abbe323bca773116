"""Partner clients and the webhook log in the admin: read, and revoke; keys are issued by create_api_key."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.api.models import ApiClient, WebhookAttempt, WebhookDelivery, WebhookSubscription
from fengqiao.api.services import api_client_revoke


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "source_system", "key_prefix", "scopes", "is_active", "created_at", "last_used_at",
                    "expires_at", "revoked_at")
    list_filter = ("is_active",)
    search_fields = ("name", "source_system", "key_prefix")
    readonly_fields = [f.name for f in ApiClient._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # ./fq manage create_api_key shows the key once; the admin could not

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the cases and the delivery log keep their client

    @admin.action(description=_("Revoke the key of the selected clients"))
    def revoke(self, request, queryset):
        for client in queryset:
            api_client_revoke(client=client)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("client", "url", "events", "is_active", "created_at")
    list_filter = ("is_active",)
    exclude = ("secret",)
    readonly_fields = ("client", "url", "events", "created_at")

    def has_add_permission(self, request):
        return False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "at", "response_code", "error", "duration_ms")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "subscription", "event", "status", "attempts", "response_code", "delivered_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False
