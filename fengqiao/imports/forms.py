from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.imports.models import ImportMapping


class UploadForm(forms.Form):
    mapping = forms.ModelChoiceField(
        label=_("Kind of export"), queryset=ImportMapping.objects.filter(is_active=True), empty_label=None
    )
    file = forms.FileField(
        label=_("File (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
