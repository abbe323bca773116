"""The responsibility list in the administration: editable rules with their history.

The form checks with the same service that saves (fengqiao.routing.services.rule_validate), so an unknown
category, a unit of another district, a contradiction or a loop comes back as a message on the form;
saving goes through rule_save, which numbers the version and keeps the revision.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin_site import add_service_errors
from fengqiao.routing.models import ResponsibilityRule
from fengqiao.routing.services import rule_save, rule_validate


class KeywordsField(forms.CharField):
    """Keywords typed one per line (or separated by 、 , ，)."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for sep in ("、", "，", ",", "|"):
            text = text.replace(sep, "\n")
        return [w.strip() for w in text.splitlines() if w.strip()]


class ResponsibilityRuleForm(forms.ModelForm):
    keywords = KeywordsField(
        label=_("keywords"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. The rule applies only when the text contains one of them; “A+B” needs both."),
    )

    class Meta:
        model = ResponsibilityRule
        fields = ["category", "region", "keywords", "unit", "centre_level", "priority", "valid_from", "valid_to",
                  "is_active", "note"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        probe = ResponsibilityRule(pk=self.instance.pk, version=self.instance.version or 1)
        for name in self.Meta.fields:
            setattr(probe, name, data.get(name))
        probe.centre_level = probe.centre_level or ""
        probe.keywords = data.get("keywords") or []
        try:
            rule_validate(probe)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    form = ResponsibilityRuleForm
    list_display = ["id", "category", "region", "keywords", "target", "priority", "valid_from", "valid_to",
                    "is_active", "version"]
    list_filter = ["is_active", "centre_level", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["category__name", "unit__name", "region__name", "note"]
    list_select_related = ["category", "category__parent", "region", "unit"]
    autocomplete_fields = ["region", "unit"]
    readonly_fields = ["version", "created_by", "created_at", "updated_at", "history"]

    @admin.display(description=_("handled by"))
    def target(self, obj):
        return obj.target_label()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = rule_save(
            instance=obj if change else None, category=data.get("category"), region=data.get("region"),
            keywords=data.get("keywords") or [], unit=data.get("unit"), centre_level=data.get("centre_level") or "",
            priority=data.get("priority") or 0, valid_from=data.get("valid_from"), valid_to=data.get("valid_to"),
            is_active=data.get("is_active", True), note=data.get("note") or "", by=request.user,
        )
        obj.pk, obj.version = saved.pk, saved.version

    @admin.display(description=_("history"))
    def history(self, obj):
        rows = [(r.version, r.changed_at.strftime("%Y-%m-%d %H:%M"), r.changed_by or "—", json.dumps(
            r.data, ensure_ascii=False)) for r in obj.revisions.select_related("changed_by")] if obj.pk else []
        if not rows:
            return "—"
        return format_html("<ol>{}</ol>", format_html_join("", "<li>v{} · {} · {}<br><code>{}</code></li>", rows))

    def has_delete_permission(self, request, obj=None):
        return False  # retire a rule by deactivating it or ending its validity: its history stays
