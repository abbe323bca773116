from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from fengqiao.privacy.models import DataRequest


class ResidentRequestForm(forms.Form):
    """A signed-in resident asks for a copy of their data, or for it to be deleted."""

    kind = forms.ChoiceField(label=gettext_lazy("What do you ask for?"), choices=DataRequest.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": gettext_lazy("Choose a copy of your data or deletion.")})
    note = forms.CharField(label=gettext_lazy("Anything we should know (optional)"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ServicePointRequestForm(ResidentRequestForm):
    """Staff at a service point take in a request after checking the resident's identity document."""

    name = forms.CharField(label=gettext_lazy("Resident's name (as on the identity document)"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("Phone number used on their demands"), max_length=24)
    identity_checked = forms.BooleanField(
        label=gettext_lazy("I have checked the resident's identity document."),
        error_messages={"required": gettext_lazy("Check the resident's identity document first.")})


class RefuseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why (the resident reads this)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))
