"""Grading rules in the administration (rules as data). Suggestions and corrections hold case text, so
they stay out of the administration: administrators keep the rules but read no case (separation of duties)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.routing.admin import KeywordsField
from fengqiao.triage.grading import signal_errors
from fengqiao.triage.models import GradingRule


class GradingRuleForm(forms.ModelForm):
    keywords = KeywordsField(
        label=_("keywords"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; “A+B” needs both A and B in the text."),
    )

    class Meta:
        model = GradingRule
        fields = ["code", "name", "kind", "keywords", "threshold", "window_days", "grade", "reason", "priority",
                  "is_active"]
        help_texts = {"reason": _(
            "Shown on the case. Placeholders: {keyword}, {people}, {amount}, {count}, {days}, {threshold}, {window}. "
            "The shipped sentences are in English and each reader sees them in their language; a sentence you "
            "write is shown as written.")}

    def clean(self):
        data = super().clean()
        if not self.errors:
            for field, message in signal_errors(kind=data.get("kind"), keywords=data.get("keywords"),
                                                threshold=data.get("threshold"), window_days=data.get("window_days"),
                                                reason=data.get("reason") or "").items():
                self.add_error(field, message)
        return data


@admin.register(GradingRule)
class GradingRuleAdmin(admin.ModelAdmin):
    form = GradingRuleForm
    list_display = ["name", "code", "kind", "grade", "threshold", "window_days", "reason_shown", "priority",
                    "is_active"]
    list_filter = ["kind", "grade", "is_active"]
    search_fields = ["code", "name", "reason"]
    ordering = ["priority", "code"]
    readonly_fields = ["reason_shown"]

    @admin.display(description=_("reason shown"))
    def reason_shown(self, obj: GradingRule) -> str:
        """The sentence as the reader sees it (a shipped one in their language)."""
        return gettext(obj.reason)
