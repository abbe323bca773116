from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts.models import User
from fengqiao.org.admin import MembershipInline, membership_admin_save, pending_message
from fengqiao.org.models import Membership


def mask_phone(phone: str) -> str:
    """138****8000: enough to recognise a number on screen, not enough to copy it (PIPL)."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else ("*" * len(phone))


@admin.register(User)
class FqUserAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("name", "phone", "email")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _(
                    "What a person sees and does in the platform follows from their memberships below; "
                    "“staff status” only opens this administration."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "name", "phone", "password1", "password2")}),)
    list_display = ["username", "name", "masked_phone", "roles", "has_second_factor", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["username", "name", "phone", "email"]
    ordering = ["username"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).prefetch_related("memberships").annotate(fq_2fa=Exists(devices))

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, user: User) -> str:
        return mask_phone(user.phone) if user.phone else "—"

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        labels = sorted({m.get_role_display() for m in user.memberships.all() if m.is_active})
        return "、".join(str(label) for label in labels) or "—"

    @admin.display(description=_("second factor"), boolean=True)
    def has_second_factor(self, user: User) -> bool:
        return bool(getattr(user, "fq_2fa", False))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Through fengqiao.org.grants: a new role is a request a security officer approves; nothing is deleted.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # for the admin's log
        for row in formset.forms:
            if not row.has_changed() or not getattr(row, "cleaned_data", None):
                continue
            membership, grant = membership_admin_save(row, request.user, user=form.instance)
            if grant is not None:
                pending_message(request, grant)
            if membership is not None:
                formset.changed_objects.append((membership, row.changed_data))
        return None
