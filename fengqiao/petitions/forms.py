"""Forms of the petition pages: one per move, plain fields; the services judge what the procedure allows."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Party
from fengqiao.core.masking import mask_name
from fengqiao.org.models import OrgUnit
from fengqiao.org.rules import HANDLING_KINDS
from fengqiao.petitions.models import Petition, PetitionForm
from fengqiao.petitions.rules import ClosingItem, Move, NotAcceptedGround

TEXT = {"rows": 3, "maxlength": 4000}


def _on_field(label=None):
    return forms.DateField(label=label or _("Date"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                           help_text=_("Leave empty for today."))


class PartyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Party) -> str:
        name = obj.name if obj.kind != Party.Kind.PERSON else mask_name(obj.name)
        return f"{obj.get_role_display()}：{name}"


class RegisterForm(forms.Form):
    petitioners = PartyChoices(label=_("Petitioners"), queryset=Party.objects.none(),
                               widget=forms.CheckboxSelectMultiple)
    matter = forms.CharField(label=_("Matter (what the petition asks for)"), widget=forms.Textarea(attrs=TEXT))
    form = forms.ChoiceField(label=_("Form"), choices=PetitionForm.choices)
    people_count = forms.IntegerField(label=_("People"), min_value=1, max_value=100000, initial=1)
    registered_on = forms.DateField(label=_("Registered on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    office = forms.ModelChoiceField(label=_("Petition office"), queryset=OrgUnit.objects.none())
    link_to = forms.CharField(label=_("Same facts as an earlier re-reviewed petition (number, optional)"),
                              required=False, max_length=24)

    def __init__(self, *args, case, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["petitioners"].queryset = case.parties.exclude(role=Party.PartyRole.RESPONDENT).order_by("id")
        self.fields["office"].queryset = OrgUnit.objects.filter(pk__in=[o.pk for o in offices])
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk
            self.fields["office"].widget = forms.HiddenInput()
        if not self.is_bound:
            self.initial.update(matter=case.description, people_count=case.people_count,
                                registered_on=timezone.localdate(),
                                petitioners=[p.pk for p in case.parties.filter(role=Party.PartyRole.APPLICANT)])

    def clean_link_to(self):
        number = self.cleaned_data["link_to"].strip()
        if not number:
            return None
        found = Petition.objects.filter(number=number).first()
        if found is None:
            raise forms.ValidationError(_("No petition has the number %(number)s.") % {"number": number})
        return found


def organ_queryset(office: OrgUnit):
    """Organs a petition may go to: the handling units of the office's district (and the office itself)."""
    district = office.region.district or office.region
    return OrgUnit.objects.filter(is_active=True, kind__in=HANDLING_KINDS,
                                  region__path__startswith=district.path).order_by("kind", "name")


class AcceptForm(forms.Form):
    organ = forms.ModelChoiceField(label=_("Handling organ"), queryset=OrgUnit.objects.none())
    on = _on_field(_("Accepted on"))
    note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = organ_queryset(petition.office)
        self.fields["organ"].initial = petition.organ_id or petition.office_id


class NotAcceptForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=NotAcceptedGround.choices)
    reason = forms.CharField(label=_("Reason given to the petitioner"), required=False,
                             widget=forms.Textarea(attrs=TEXT))
    on = _on_field(_("Decided on"))

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        if petition.repeat_of_id:
            self.fields["ground"].initial = NotAcceptedGround.RE_REVIEWED


class TransferForm(forms.Form):
    organ = forms.ModelChoiceField(label=_("Transfer to"), queryset=OrgUnit.objects.none())
    reason = forms.CharField(label=_("Why this organ"), required=False, widget=forms.Textarea(attrs=TEXT))
    on = _on_field(_("Transferred on"))

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = organ_queryset(petition.office).exclude(pk=petition.office_id)


class DateOnlyForm(forms.Form):
    on = _on_field()

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Days (at most 30)"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("Reason the petitioner is told"), widget=forms.Textarea(attrs=TEXT))
    approved_by = forms.ModelChoiceField(label=_("Approved by (head of the handling organ)"), required=False,
                                         queryset=None)

    def __init__(self, *args, petition: Petition, **kwargs):
        from fengqiao.accounts.models import User
        from fengqiao.petitions.services import approvers_for

        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = approvers_for(petition.organ) if petition.organ else User.objects.none()


class OpinionForm(forms.Form):
    facts = forms.CharField(label=_("Facts found"), widget=forms.Textarea(attrs=TEXT))
    opinion = forms.CharField(label=_("Handling opinion"), widget=forms.Textarea(attrs=TEXT))
    basis = forms.CharField(label=_("Basis (laws, regulations, policies)"), widget=forms.Textarea(attrs=TEXT))
    next_organ = forms.CharField(label=_("Organ the petitioner may ask next"), max_length=100, required=False)
    on = _on_field(_("Issued on"))

    def __init__(self, *args, petition: Petition, next_organ: str = "", final: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if final:
            del self.fields["next_organ"]
        else:
            self.fields["next_organ"].initial = next_organ


class RequestForm(forms.Form):
    on = _on_field(_("Requested on"))
    organ_name = forms.CharField(label=_("Organ asked"), max_length=100, required=False)

    def __init__(self, *args, petition: Petition, organ_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ_name"].initial = organ_name


class HearingStartForm(forms.Form):
    on = _on_field(_("Hearing started on"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)


class ClosingCheckForm(forms.Form):
    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {c.item: c for c in petition.closing_checks.all()}
        for item, label in ClosingItem.choices:
            line = existing.get(item)
            self.fields[f"{item}_applicable"] = forms.BooleanField(
                label=_("Applies: %(item)s") % {"item": label}, required=False,
                initial=line.applicable if line else False)
            self.fields[f"{item}_done"] = forms.BooleanField(label=_("Done"), required=False,
                                                             initial=line.done if line else False)
            self.fields[f"{item}_note"] = forms.CharField(label=_("What was done"), required=False, max_length=1000,
                                                          initial=line.note if line else "")

    def lines(self):
        from fengqiao.petitions.rules import CheckLine

        d = self.cleaned_data
        return [CheckLine(item, d[f"{item}_applicable"], d[f"{item}_done"], d[f"{item}_note"])
                for item in ClosingItem.values]


class CloseForm(forms.Form):
    petitioner_accepts = forms.BooleanField(label=_("The petitioner accepts the opinion (no further request)"),
                                            required=False)
    on = _on_field(_("Closed on"))

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)


class LinkRepeatForm(forms.Form):
    earlier = forms.CharField(label=_("Number of the re-reviewed petition"), max_length=24)

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_earlier(self):
        number = self.cleaned_data["earlier"].strip()
        found = Petition.objects.filter(number=number).first()
        if found is None:
            raise forms.ValidationError(_("No petition has the number %(number)s.") % {"number": number})
        return found


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)


def form_for(move: str, petition: Petition, data=None):
    """The form of `move` on `petition` (bound to `data` when given)."""
    from fengqiao.petitions.models import Stage

    opinions = {o.stage: o for o in petition.opinions.all()}
    kwargs: dict = {"petition": petition}
    if move in (Move.REPLY,):
        from fengqiao.petitions.services import default_review_organ

        kwargs["next_organ"] = default_review_organ(petition.organ)
    elif move == Move.DECIDE_REVIEW:
        from fengqiao.petitions.services import default_re_review_organ

        review = opinions.get(Stage.REVIEW)
        kwargs["next_organ"] = default_re_review_organ(review.organ_name if review else "")
    elif move == Move.DECIDE_RE_REVIEW:
        kwargs["final"] = True
    elif move == Move.REQUEST_REVIEW:
        reply = opinions.get(Stage.REPLY)
        kwargs["organ_name"] = reply.next_organ_name if reply else ""
    elif move == Move.REQUEST_RE_REVIEW:
        review = opinions.get(Stage.REVIEW)
        kwargs["organ_name"] = review.next_organ_name if review else ""
    cls = FORMS[move]
    return cls(data, **kwargs) if data is not None else cls(**kwargs)


FORMS: dict[str, type[forms.Form]] = {
    Move.ACCEPT: AcceptForm,
    Move.NOT_ACCEPT: NotAcceptForm,
    Move.TRANSFER: TransferForm,
    Move.START: DateOnlyForm,
    Move.EXTEND: ExtendForm,
    Move.REPLY: OpinionForm,
    Move.REQUEST_REVIEW: RequestForm,
    Move.HEARING_START: HearingStartForm,
    Move.HEARING_END: DateOnlyForm,
    Move.DECIDE_REVIEW: OpinionForm,
    Move.REQUEST_RE_REVIEW: RequestForm,
    Move.DECIDE_RE_REVIEW: OpinionForm,
    Move.CLOSING_CHECK: ClosingCheckForm,
    Move.CLOSE: CloseForm,
    Move.LINK_REPEAT: LinkRepeatForm,
    Move.UNLINK_REPEAT: ReasonForm,
}
