from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin_site import add_service_errors
from fengqiao.mediation.models import MediatorHours, MediatorProfile, Specialty
from fengqiao.mediation.services import mediator_register
from fengqiao.org.grants import membership_request_check
from fengqiao.org.models import Membership, Role
from fengqiao.org.rules import role_unit_error


class MediatorProfileForm(forms.ModelForm):
    specialties = forms.MultipleChoiceField(
        label=_("specialties"), choices=Specialty.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = MediatorProfile
        fields = ["user", "unit", "kind", "specialties", "languages", "service_point", "bio", "is_available"]

    actor = None  # the signed-in person (MediatorProfileAdmin.get_form)

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is not None:
            error = role_unit_error(role=Role.MEDIATOR, unit_kind=unit.kind)
            if error:
                self.add_error("unit", error)
                return data
            user = data.get("user") or getattr(self.instance, "user", None)
            if user is not None and not Membership.objects.filter(
                user=user, unit=unit, role=Role.MEDIATOR, is_active=True
            ).exists():
                # The mediator role comes with the registration: asked for, like any role (separation of duties).
                try:
                    membership_request_check(actor=self.actor, user=user, unit=unit, role=Role.MEDIATOR)
                except ValidationError as exc:
                    add_service_errors(self, exc)
        return data


class MediatorHoursInline(admin.TabularInline):
    """When and where the mediator receives residents: the slots residents book on /mediators/."""

    model = MediatorHours
    extra = 1
    fields = ["weekday", "start", "end", "slot_minutes", "service_point"]
    autocomplete_fields = ["service_point"]


@admin.register(MediatorProfile)
class MediatorProfileAdmin(admin.ModelAdmin):
    """Registering a mediator also makes them a member of the unit in the mediator role."""

    form = MediatorProfileForm
    inlines = [MediatorHoursInline]
    list_display = ["user", "kind", "unit", "specialty_list", "languages", "is_available"]
    list_filter = ["kind", "is_available"]
    search_fields = ["user__username", "user__name", "unit__name"]
    autocomplete_fields = ["user", "unit", "service_point"]
    list_select_related = ["user", "unit"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def get_inlines(self, request, obj=None):
        return self.inlines if obj else []  # hours are added once the mediator is registered

    @admin.display(description=_("specialties"))
    def specialty_list(self, profile: MediatorProfile) -> str:
        return "、".join(profile.specialty_labels()) or "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        profile = mediator_register(
            actor=request.user,
            user=obj.user,
            unit=obj.unit,
            kind=obj.kind,
            specialties=list(obj.specialties),
            languages=obj.languages,
            service_point=obj.service_point,
            bio=obj.bio,
        )
        MediatorProfile.objects.filter(pk=profile.pk).update(is_available=obj.is_available)
        obj.pk = profile.pk
