from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.commands.models import Level
from fengqiao.org.models import OrgUnit


class IssueForm(forms.Form):
    issuer = forms.ModelChoiceField(label=_("Issuing centre"), queryset=OrgUnit.objects.none(),
                                    error_messages={"required": _("Choose the centre that issues the command."),
                                                    "invalid_choice": _("Choose the centre that issues the command.")})
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.URGENT)
    units = forms.ModelMultipleChoiceField(
        label=_("Departments"), queryset=OrgUnit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"required": _("Choose at least one department."),
                        "invalid_choice": _("Choose departments from the list.")})
    instructions = forms.CharField(label=_("Instructions"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                   error_messages={"required": _("Say what the departments must do.")})

    def __init__(self, *args, issuers, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in issuers])
        self.fields["issuer"].initial = issuers[0].pk if issuers else None
        self.fields["units"].queryset = departments


class CheckInForm(forms.Form):
    mode = forms.ChoiceField(label=_("How"), choices=[("on_site", _("On site")), ("online", _("Online"))],
                             widget=forms.RadioSelect, initial="on_site")
    people = forms.MultipleChoiceField(label=_("Who came"), widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("Name who came.")})
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    photo = forms.ImageField(label=_("Photo of the scene"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = members


class PostForm(forms.Form):
    text = forms.CharField(label=_("Progress"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Write what has been done.")})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
