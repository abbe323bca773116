"""Forms of the legal routes: plain fields; the services judge the input and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.legal.models import ConfirmationApplication, LinkageKind, MatterType, ReferralKind, ReferralOutcome
from fengqiao.org.models import OrgUnit, Region, RegionLevel, UnitKind


class ApplyForm(forms.Form):
    court = forms.ModelChoiceField(label=_("Court"), queryset=OrgUnit.objects.none())
    matter_type = forms.ChoiceField(
        label=_("Kind of matter"), choices=MatterType.choices,
        help_text=_("Identity, adoption and marriage status cannot be confirmed: choose one of them to refuse."))
    late_acknowledged = forms.BooleanField(
        label=_("I know the 30 days have passed and the court may refuse the application"), required=False)
    late_reason = forms.CharField(label=_("Reason for applying late"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, late: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = OrgUnit.objects.filter(kind=UnitKind.COURT, is_active=True).order_by("name")
        if not late:
            del self.fields["late_acknowledged"]
            del self.fields["late_reason"]


class AcceptForm(forms.Form):
    court_case_number = forms.CharField(label=_("Court's case number"), max_length=60, required=False)


class NotAcceptForm(forms.Form):
    reason = forms.CharField(label=_("Why the court does not accept it"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    approved_by = forms.CharField(label=_("Approved by (president of the court)"), max_length=100)
    reason = forms.CharField(label=_("Why more time is needed"), widget=forms.Textarea(attrs={"rows": 2}))


class RulingForm(forms.Form):
    decision = forms.ChoiceField(label=_("Ruling"), widget=forms.RadioSelect, choices=[
        ("confirm", _("Confirmed: the agreement is valid and enforceable")),
        ("refuse", _("Refused: the agreement is not confirmed"))])
    ruling_number = forms.CharField(label=_("Ruling number"), max_length=60,
                                    widget=forms.TextInput(attrs={"placeholder": "(2026)粤0311民特123号"}))
    ruling_date = forms.DateField(label=_("Ruling date"),
                                  widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    reason = forms.CharField(label=_("Grounds (required when refused)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruling_date"].initial = timezone.localdate()


class AfterRefusalForm(forms.Form):
    route = forms.ChoiceField(label=_("Next step"), widget=forms.RadioSelect, choices=[
        (ConfirmationApplication.AfterRefusal.REMEDIATION, ConfirmationApplication.AfterRefusal.REMEDIATION.label),
        (ConfirmationApplication.AfterRefusal.LITIGATION, ConfirmationApplication.AfterRefusal.LITIGATION.label)])


class LinkageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Linkage"), choices=LinkageKind.choices)
    from_unit = forms.ModelChoiceField(label=_("From"), queryset=OrgUnit.objects.none())
    to_unit = forms.ModelChoiceField(label=_("To"), queryset=OrgUnit.objects.none())
    note = forms.CharField(label=_("What is handed over and why"), widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(label=_("Your reference"), max_length=60, required=False)

    LINKED_KINDS = (UnitKind.COURT, UnitKind.PROCURATORATE, UnitKind.POLICE, UnitKind.PETITION_OFFICE,
                    UnitKind.JUSTICE, UnitKind.ARBITRATION, UnitKind.MEDIATION_COMMITTEE)

    def __init__(self, *args, own_units=(), district=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in own_units])
        targets = OrgUnit.objects.filter(is_active=True, kind__in=self.LINKED_KINDS)
        if district is not None:
            targets = targets.filter(region__path__startswith=district.path)
        self.fields["to_unit"].queryset = targets.order_by("kind", "name")


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why it is returned"), widget=forms.Textarea(attrs={"rows": 2}))


class ConcludeForm(forms.Form):
    settled = forms.TypedChoiceField(label=_("Result"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Settled")), ("no", _("Not settled"))])
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("Route"), choices=ReferralKind.choices)
    to_unit = forms.ModelChoiceField(label=_("Receiving body"), queryset=OrgUnit.objects.none())
    summary = forms.CharField(label=_("Case summary"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = OrgUnit.objects.filter(
            is_active=True, kind__in=[UnitKind.ARBITRATION, UnitKind.COURT]).order_by("kind", "name")


class ReceiveForm(forms.Form):
    reference = forms.CharField(label=_("The body's case number"), max_length=60, required=False)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in ReferralOutcome.choices if c[0]])
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}))


class PreLitigationForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("Mediation committee"), queryset=OrgUnit.objects.none())
    community = forms.ModelChoiceField(label=_("Where the dispute is"), queryset=Region.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(label=_("The dispute"), widget=forms.Textarea(attrs={"rows": 3}))
    plaintiff = forms.CharField(label=_("Plaintiff"), max_length=100)
    plaintiff_phone = forms.CharField(label=_("Plaintiff's phone"), max_length=20, required=False)
    defendant = forms.CharField(label=_("Defendant"), max_length=100)
    defendant_phone = forms.CharField(label=_("Defendant's phone"), max_length=20, required=False)
    amount = forms.DecimalField(label=_("Sum in dispute (yuan)"), required=False, min_value=0, decimal_places=2)
    reference = forms.CharField(label=_("Court's pre-litigation number"), max_length=60, required=False)

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        committees = OrgUnit.objects.filter(kind=UnitKind.MEDIATION_COMMITTEE, is_active=True)
        communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
        if district is not None:
            committees = committees.filter(region__path__startswith=district.path)
            communities = communities.filter(path__startswith=district.path)
        self.fields["committee"].queryset = committees.order_by("name")
        self.fields["community"].queryset = communities.order_by("code")
