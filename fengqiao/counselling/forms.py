"""Forms of the psychological service: field shapes only; the rules are checked by the services."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.counselling import rules
from fengqiao.counselling.models import ConsentMethod, RiskLevel, SessionMode

LOCAL_DT = "%Y-%m-%dT%H:%M"


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DT)


class PrefixedForm(forms.Form):
    """Each form on the engagement page has its own ids (id_<prefix>-<field>)."""

    prefix_name = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class OpenForm(PrefixedForm):
    prefix_name = "open"
    case_code = forms.CharField(label=_("Case code"), max_length=24,
                                widget=forms.TextInput(attrs={"placeholder": "GM-2026-000123"}))


class ConsentForm(PrefixedForm):
    prefix_name = "consent"
    consent_by = forms.CharField(label=_("Consent given by"), max_length=100,
                                 help_text=_("The person counselled, or their guardian (name and relation)."))
    consent_at = forms.DateTimeField(label=_("When"), widget=_datetime_widget(), input_formats=[LOCAL_DT])
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class RecordForm(PrefixedForm):
    prefix_name = "record"
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    mode = forms.ChoiceField(label=_("How"), choices=SessionMode.choices)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=rules.DURATION_MIN,
                                          max_value=rules.DURATION_MAX, initial=50)
    notes = forms.CharField(label=_("Session notes"), widget=forms.Textarea(attrs={"rows": 4}))
    assessment = forms.CharField(label=_("Assessment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan = forms.CharField(label=_("Plan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()


class RiskForm(PrefixedForm):
    prefix_name = "risk"
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    crisis_note = forms.CharField(
        label=_("Crisis protocol note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed at high or crisis risk: what you did, who was told. The unit leader is told the level, "
                    "never this note."),
    )


class GrantForm(PrefixedForm):
    prefix_name = "grant"
    username = forms.CharField(label=_("Colleague (user name)"), max_length=150,
                               widget=forms.TextInput(attrs={"list": "grant-candidates", "autocomplete": "off"}))
    reason = forms.CharField(label=_("Why they need to read the records"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
    expires_at = forms.DateTimeField(label=_("Until"), widget=_datetime_widget(), input_formats=[LOCAL_DT])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].help_text = _("At most %(days)d days from now.") % {"days": rules.GRANT_MAX_DAYS}
        until = timezone.localtime() + timedelta(days=rules.GRANT_DEFAULT_DAYS)
        self.fields["expires_at"].initial = until.replace(second=0, microsecond=0)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why the access ends"), max_length=500)


class CloseForm(PrefixedForm):
    prefix_name = "close"
    note = forms.CharField(label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
