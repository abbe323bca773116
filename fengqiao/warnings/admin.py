"""Thresholds of the radar per district, edited in the Django admin (the rest keep DEFAULT_THRESHOLDS)."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from fengqiao.warnings.models import ThresholdOverride
from fengqiao.warnings.thresholds import Thresholds


class ThresholdOverrideForm(forms.ModelForm):
    class Meta:
        model = ThresholdOverride
        fields = ["district", "values", "note"]

    def clean_values(self):
        values = self.cleaned_data["values"] or {}
        if not isinstance(values, dict):
            raise forms.ValidationError(_("Write the changed thresholds as a JSON object {name: value}."))
        known = {f.name for f in dataclasses.fields(Thresholds)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise forms.ValidationError(_("Unknown thresholds: %(names)s.") % {"names": ", ".join(unknown)})
        try:
            Thresholds.from_dict(values)
        except (TypeError, ValueError, KeyError) as exc:
            raise forms.ValidationError(_("A value does not fit its threshold: %(error)s") % {"error": exc}) from exc
        return values


@admin.register(ThresholdOverride)
class ThresholdOverrideAdmin(admin.ModelAdmin):
    form = ThresholdOverrideForm
    list_display = ["district", "note", "updated_at"]
    help_texts = {"values": ", ".join(f.name for f in dataclasses.fields(Thresholds))}
