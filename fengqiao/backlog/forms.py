from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, error_messages={"required": _("Give the campaign a name.")})
    goal = forms.CharField(label=_("Goal"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Clear by"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             error_messages={"invalid": _("Enter a valid date.")})
    cases = forms.MultipleChoiceField(label=_("Cases"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Choose the cases of the campaign.")})

    def __init__(self, *args, case_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = case_choices


class PlanForm(forms.Form):
    plan = forms.CharField(label=_("Plan for this case (一案一策)"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Write the plan for this case.")})
    due_on = forms.DateField(label=_("Plan due"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             error_messages={"invalid": _("Enter a valid date.")})
