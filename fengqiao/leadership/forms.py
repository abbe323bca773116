from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.org.models import ServicePoint


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ShiftForm(forms.Form):
    service_point = forms.ModelChoiceField(label=_("Service point"), queryset=ServicePoint.objects.none(),
                                           error_messages={"required": _("Choose the service point."),
                                                           "invalid_choice": _("Choose the service point.")})
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": _("Choose the day."), "invalid": _("Enter a valid date.")})
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}), initial="09:00",
                            error_messages={"required": _("Enter the time the shift starts."),
                                            "invalid": _("Enter a valid time.")})
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}), initial="12:00",
                          error_messages={"required": _("Enter the time the shift ends."),
                                          "invalid": _("Enter a valid time.")})

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = points


class RecordForm(forms.Form):
    held = forms.TypedChoiceField(label=_("Was the shift held?"), coerce=lambda v: v == "yes",
                                  choices=[("yes", _("Held")), ("no", _("Not held"))], widget=forms.RadioSelect,
                                  initial="yes")
    visitors = forms.IntegerField(label=_("Residents received"), min_value=0, max_value=500, initial=0,
                                  error_messages={"min_value": _("The number of residents cannot be negative.")})
    cases = forms.CharField(label=_("Cases taken in (codes, one per line or separated by commas)"), required=False,
                            max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
