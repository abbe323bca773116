"""The resident's forms for finding and booking a mediator; the checks of a slot live in fengqiao.mediation.rules,
the writes in fengqiao.mediation.bookings."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.intake.forms import ResidentForm, new_submission_token
from fengqiao.intake.validation import clean_phone
from fengqiao.mediation import rules
from fengqiao.mediation.models import MeetingMode, Specialty
from fengqiao.privacy import notices as privacy_notices
from fengqiao.sla.deadlines import LOCAL

SLOT_FORMAT = "%Y%m%d%H%M"  # a slot in a URL or a form: its local start, e.g. 202612071400


def slot_key(at: datetime) -> str:
    return at.astimezone(LOCAL).strftime(SLOT_FORMAT)


def parse_slot_key(value: str) -> datetime | None:
    try:
        return datetime.strptime((value or "").strip(), SLOT_FORMAT).replace(tzinfo=LOCAL)
    except ValueError:
        return None


MIN_RATING_CHOICES = [("", gettext_lazy("Any rating")), ("3", gettext_lazy("3 stars or more")),
                      ("4", gettext_lazy("4 stars or more"))]


class DirectoryForm(forms.Form):
    """The directory's filters (GET); anything unknown is ignored rather than refused."""

    specialty = forms.ChoiceField(label=gettext_lazy("Kind of dispute"), required=False)
    point = forms.ChoiceField(label=gettext_lazy("Service point"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    min_rating = forms.ChoiceField(label=gettext_lazy("Rating"), required=False, choices=MIN_RATING_CHOICES)

    def __init__(self, *args, points=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.points = {str(p.pk): p for p in points}
        cast(forms.ChoiceField, self.fields["specialty"]).choices = [("", gettext_lazy("Any kind")), *Specialty.choices]
        cast(forms.ChoiceField, self.fields["point"]).choices = [("", gettext_lazy("Anywhere")), *((k, p.name) for k, p in self.points.items())]
        cast(forms.ChoiceField, self.fields["language"]).choices = [("", gettext_lazy("Any language")), *((v, v) for v in languages)]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        rating = data.get("min_rating") or ""
        return {"specialty": data.get("specialty") or "", "point": self.points.get(data.get("point") or ""),
                "language": data.get("language") or "", "min_rating": int(rating) if rating.isdigit() else None}


class BookingForm(ResidentForm):
    submission_token = forms.CharField(widget=forms.HiddenInput)
    at = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=100,
                           error_messages={"required": gettext_lazy("Please give your name.")},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"), max_length=20,
        help_text=gettext_lazy("We send the confirmation and a reminder here; with it and the booking code you can "
                               "change the booking."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    specialty = forms.ChoiceField(label=gettext_lazy("Kind of dispute"), required=False)
    matter = forms.CharField(
        label=gettext_lazy("What is the dispute about?"), max_length=2000, min_length=5,
        help_text=gettext_lazy("A few sentences: who with, what happened, what you would like. The mediator reads "
                               "this before you meet."),
        error_messages={"required": gettext_lazy("Please say in a few words what the dispute is about.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mode = forms.ChoiceField(label=gettext_lazy("How do you want to meet?"), widget=forms.RadioSelect,
                             initial=MeetingMode.IN_PERSON)
    # Consent with the privacy notice version the page showed (recorded: fengqiao.privacy).
    notice_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20,
                                     initial=privacy_notices.CURRENT)
    consent = forms.BooleanField(
        label=gettext_lazy("I agree that the mediator and the committee use my name, phone number and what I write "
                           "here to prepare and hold the mediation."),
        error_messages={"required": gettext_lazy("Please agree, so that the mediator may prepare your meeting.")})

    def __init__(self, *args, video: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["specialty"]).choices = [("", gettext_lazy("Not sure")), *Specialty.choices]
        modes = [(MeetingMode.IN_PERSON, MeetingMode.IN_PERSON.label)]
        if video:
            modes.append((MeetingMode.VIDEO, MeetingMode.VIDEO.label))
        cast(forms.ChoiceField, self.fields["mode"]).choices = modes
        if not video:
            self.fields["mode"].widget = forms.HiddenInput()
        if not self.is_bound and not self.initial.get("submission_token"):
            self.initial["submission_token"] = new_submission_token()

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_notice_version(self) -> str:
        return self.cleaned_data.get("notice_version") or privacy_notices.CURRENT

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notice_version", privacy_notices.CURRENT) not in privacy_notices.versions():
            self.add_error(None, _("The privacy notice on this page is out of date. Reload the page, read the "
                                   "notice it shows and send your demand again."))
        return cleaned

    def clean_at(self) -> datetime:
        value = parse_slot_key(self.cleaned_data["at"])
        if value is None:
            raise ValidationError(_("Please pick a time from the list."))
        return value


class LookupForm(ResidentForm):
    code = forms.CharField(
        label=gettext_lazy("Booking code"), max_length=12,
        help_text=gettext_lazy("As on your confirmation, e.g. 7KQ2M9XA"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Enter the booking code.")},
    )
    phone = forms.CharField(label=gettext_lazy("The phone number you booked with"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                            error_messages={"required": gettext_lazy("Enter the phone number you booked with.")})

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class CancelForm(ResidentForm):
    reason = forms.CharField(label=gettext_lazy("Why are you cancelling?"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(ResidentForm):
    at = forms.ChoiceField(label=gettext_lazy("New time"),
                           error_messages={"required": gettext_lazy("Please pick a new time."),
                                           "invalid_choice": gettext_lazy("This time is no longer free. Please pick "
                                                                          "another time.")})

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["at"]).choices = [("", gettext_lazy("Choose a time")),
                                     *((slot_key(s.starts_at), s.starts_at.astimezone(LOCAL).strftime("%m-%d %H:%M"))
                                       for s in slots)]

    def clean_at(self) -> datetime:
        value = parse_slot_key(self.cleaned_data["at"])
        if value is None:
            raise ValidationError(_("Please pick a new time."))
        return value


class RateForm(ResidentForm):
    stars = forms.TypedChoiceField(label=gettext_lazy("Your rating"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, "★" * n) for n in rules.RATING_STARS],
                                   error_messages={"required": gettext_lazy("Choose from 1 to 5 stars.")})
    comment = forms.CharField(label=gettext_lazy("Anything you would like to say?"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
