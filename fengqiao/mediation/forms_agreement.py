"""Forms of the agreement pages: the text with a formset of terms, signatures, the scan, voiding, follow-ups, and
the public verification code. The services judge; these only read what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.mediation.models import Agreement, AgreementParty, FollowUp

TEXTAREA = {"rows": 4}


class AgreementForm(forms.Form):
    form = forms.ChoiceField(label=_("Form"), choices=Agreement.Form.choices, initial=Agreement.Form.WRITTEN)
    facts = forms.CharField(label=_("Main facts"), widget=forms.Textarea(attrs=TEXTAREA), max_length=5000)
    matters = forms.CharField(label=_("Matters in dispute"), widget=forms.Textarea(attrs=TEXTAREA), max_length=5000)
    responsibilities = forms.CharField(label=_("Each side's responsibility"), widget=forms.Textarea(attrs=TEXTAREA),
                                       max_length=5000)
    partial = forms.BooleanField(label=_("Partial agreement (some matters remain unsettled)"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["form"]


class TermForm(forms.Form):
    content = forms.CharField(label=_("What is agreed"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              max_length=2000)
    manner = forms.CharField(label=_("Manner of performance"), required=False, max_length=200)
    due_on = forms.DateField(label=_("To be performed by"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Sum (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2)


TermFormSet = forms.formset_factory(TermForm, extra=2, max_num=30, absolute_max=30)


def term_rows(formset) -> list[dict]:
    """The terms typed in the formset, blank rows left out (the service refuses an agreement without any)."""
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and any(f.cleaned_data.values())]


class SignPartyForm(forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput)
    signed_by = forms.ChoiceField(label=_("Signed with"), choices=AgreementParty.SignedBy.choices,
                                  initial=AgreementParty.SignedBy.SIGNATURE)


class OralForm(forms.Form):
    note = forms.CharField(label=_("What the parties said they agree to"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False, max_length=2000)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Why is the agreement void?"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=1000)


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Scan of the signed copy (PDF, JPG or PNG)"))


class FollowUpForm(forms.Form):
    performance = forms.ChoiceField(label=_("Performance"), choices=FollowUp.Performance.choices,
                                    widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=24,
                           help_text=_("The 12-character code printed at the foot of the agreement."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
