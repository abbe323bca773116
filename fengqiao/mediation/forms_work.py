"""Forms of the mediator's workspace (thin: the services in fengqiao.mediation.casework decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Party
from fengqiao.core.masking import mask_name
from fengqiao.mediation import casework as cw
from fengqiao.mediation import rules
from fengqiao.mediation.models import AttendeeRole, MediationOutcome, MediatorProfile, MeetingMode, Referral, TeamRole
from fengqiao.org.models import ServicePoint

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class OpenForm(forms.Form):
    facts = forms.CharField(label=_("Main facts"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    matters = forms.CharField(label=_("Matters in dispute"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MediatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: MediatorProfile) -> str:
        return f"{obj.user} · {obj.get_kind_display()} · {obj.unit}"


class TeamForm(forms.Form):
    profile = MediatorChoice(label=_("Who joins"), queryset=MediatorProfile.objects.none(),
                             empty_label=_("Choose a mediator, lawyer or psychologist"))
    role = forms.ChoiceField(label=_("Role in the team"), required=False,
                             choices=[("", _("As their profession says")), *TeamRole.choices])

    def __init__(self, *args, mediation, **kwargs):
        super().__init__(*args, prefix="team", **kwargs)
        self.fields["profile"].queryset = cw.team_candidates(mediation)


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("When"), input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL))
    mode = forms.ChoiceField(label=_("How"), choices=MeetingMode.choices, initial=MeetingMode.IN_PERSON)
    service_point = forms.ModelChoiceField(label=_("Service point"), required=False,
                                           queryset=ServicePoint.objects.none(), empty_label=_("— none —"))
    place = forms.CharField(label=_("Place"), required=False, max_length=200,
                            help_text=_("A room or address, if not at a service point."))
    video_link = forms.URLField(label=_("Video meeting link"), required=False, assume_scheme="https",
                                help_text=_("Empty: the lead mediator's meeting room."))

    def __init__(self, *args, mediation, **kwargs):
        super().__init__(*args, prefix="schedule", **kwargs)
        self.fields["service_point"].queryset = cw.session_places(mediation)


def party_label(party: Party) -> str:
    """A party as the workspace shows them: their role and their name, masked for a person (core/masking)."""
    name = mask_name(party.name) if party.kind == Party.Kind.PERSON else party.name
    return f"{party.get_role_display()} {name}"


class HoldForm(forms.Form):
    """Who came (parties of the case, the mediator and the team, others), in which separate talk, and the record."""

    OTHERS = 2

    record = forms.CharField(label=_("Record (笔录)"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000,
                             required=False)

    def __init__(self, *args, session, parties, staff, **kwargs):
        super().__init__(*args, prefix=f"hold{session.pk}", **kwargs)
        self.session, self.parties, self.staff = session, list(parties), list(staff)
        part_label = _("Separate talk no.")
        for party in self.parties:
            self.fields[f"party_{party.pk}"] = forms.BooleanField(label=party_label(party), required=False)
            self.fields[f"part_party_{party.pk}"] = forms.IntegerField(label=part_label, required=False, min_value=1,
                                                                      max_value=20)
        for user in self.staff:
            self.fields[f"user_{user.pk}"] = forms.BooleanField(label=str(user), required=False)
        roles = [("", _("Role")), *[(v, label) for v, label in AttendeeRole.choices
                                    if v not in ("applicant", "respondent", "other_party")]]
        for i in range(1, self.OTHERS + 1):
            self.fields[f"other_name_{i}"] = forms.CharField(label=_("Someone else present"), required=False,
                                                             max_length=100)
            self.fields[f"other_role_{i}"] = forms.ChoiceField(label=_("Present as"), required=False, choices=roles)
            self.fields[f"other_part_{i}"] = forms.IntegerField(label=part_label, required=False, min_value=1,
                                                                max_value=20)

    def party_rows(self):
        return [(p, self[f"party_{p.pk}"], self[f"part_party_{p.pk}"]) for p in self.parties]

    def staff_rows(self):
        return [self[f"user_{u.pk}"] for u in self.staff]

    def other_rows(self):
        return [(self[f"other_name_{i}"], self[f"other_role_{i}"], self[f"other_part_{i}"])
                for i in range(1, self.OTHERS + 1)]

    def clean(self):
        data = super().clean()
        for i in range(1, self.OTHERS + 1):
            if (data.get(f"other_name_{i}") or "").strip() and not data.get(f"other_role_{i}"):
                self.add_error(f"other_role_{i}", _("Say in what role this person was present."))
        return data

    def attendees(self) -> list[cw.AttendeeInput]:
        data = self.cleaned_data
        rows = [cw.AttendeeInput(party=p, part=data.get(f"part_party_{p.pk}")) for p in self.parties
                if data.get(f"party_{p.pk}")]
        rows += [cw.AttendeeInput(user=u) for u in self.staff if data.get(f"user_{u.pk}")]
        rows += [cw.AttendeeInput(name=data[f"other_name_{i}"], role=data.get(f"other_role_{i}") or "",
                                  part=data.get(f"other_part_{i}"))
                 for i in range(1, self.OTHERS + 1) if (data.get(f"other_name_{i}") or "").strip()]
        return rows


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=500)
    no_show = forms.BooleanField(label=_("The booked resident did not come"), required=False)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, prefix=f"cancel{session.pk}", **kwargs)


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Present as"), choices=AttendeeRole.choices)
    part = forms.IntegerField(label=_("Separate talk no."), required=False, min_value=1, max_value=20)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, prefix=f"att{session.pk}", **kwargs)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=rules.MEDIATION_EXTENSION_MAX_DAYS,
                              initial=15)
    reason = forms.CharField(label=_("Why more time is needed"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=1000)
    applicant_consents = forms.BooleanField(label=_("The applicant agrees to the extension"), required=False)
    respondent_consents = forms.BooleanField(label=_("The respondent agrees to the extension"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="extend", **kwargs)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("Choose the outcome")), *MediationOutcome.choices])
    referral = forms.ChoiceField(label=_("Referred to"), required=False,
                                 choices=[("", _("— no referral —")), *[c for c in Referral.choices if c[0]]],
                                 help_text=_("Required when no agreement was reached."))
    note = forms.CharField(label=_("Result for the parties"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=4000, required=False,
                           help_text=_("For an oral agreement: the terms agreed. The parties read this result."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="conclude", **kwargs)
