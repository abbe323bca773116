"""The intake forms: the resident portal, tracking, the resident account, staff entry and the grid report.

Every message is written for the person who reads it (plain Chinese by default, English with the
switch); the checks themselves live in fengqiao.intake.validation and fengqiao.intake.files.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.cases.models import Category, Channel, Satisfaction, ServiceType
from fengqiao.intake.files import check_upload
from fengqiao.intake.models import PatrolType
from fengqiao.intake.places import community_by_code, community_choices, qr_origin, resolve_region
from fengqiao.intake.validation import (
    DESCRIPTION_TOO_LONG,
    TOO_LONG,
    TOO_SHORT,
    clean_coordinates,
    clean_description,
    clean_phone,
)
from fengqiao.privacy import notices as privacy_notices

MAX_FILES = 6
ACCEPT = "image/*,audio/*,application/pdf,.pdf,.jpg,.jpeg,.png,.heic,.mp3,.m4a,.amr,.wav"
ANONYMOUS_KINDS = frozenset({ServiceType.COMPLAINT})

# The five services in plain words, for people who do not know the office names.
SERVICE_HELP = {
    ServiceType.MEDIATION: gettext_lazy(
        "A quarrel or dispute with a neighbour, a landlord, an employer, a company or your family "
        "— for example unpaid wages, noise, a broken contract. A mediator helps both sides agree."
    ),
    ServiceType.LEGAL: gettext_lazy(
        "You want to know your rights or what the law says, or need help from a lawyer or a notary."
    ),
    ServiceType.PSYCHOLOGICAL: gettext_lazy(
        "You or someone close to you is under stress, anxious or in crisis and would like to talk to a counsellor. "
        "Confidential."
    ),
    ServiceType.ASSISTANCE: gettext_lazy(
        "You face hardship — illness, disability, old age, loss of income — and need help or relief."
    ),
    ServiceType.COMPLAINT: gettext_lazy(
        "Something in the neighbourhood or a public service should be fixed or done better "
        "— roads, rubbish, noise, safety — or you have an idea. May be anonymous."
    ),
}


class ResidentForm(forms.Form):
    """A form residents fill in: every length limit answers in their words (fengqiao.intake.validation)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.error_messages.setdefault("max_length", TOO_LONG)
                field.error_messages.setdefault("min_length", TOO_SHORT)


def new_submission_token() -> str:
    return uuid.uuid4().hex


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content (fengqiao.intake.files.check_upload)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES}, code="too_many")
        errors = []
        for upload in files:
            try:
                check_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files


class CoordinatesMixin:
    """Latitude and longitude typed or set by the map / the phone's position: both or neither, inside the area."""

    def clean_region(self, cleaned: dict, origin=None) -> None:
        """cleaned["region"]: where the case is, from the community, the QR code or the pin (or a field error)."""
        cleaned["region"] = None
        if "community" in self.errors or "latitude" in self.errors:
            return
        try:
            cleaned["region"] = resolve_region(origin=origin, community=cleaned.get("community"),
                                               coordinates=cleaned.get("coordinates"))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name, messages)

    def clean_place_fields(self, cleaned: dict) -> None:
        lat, lng = (cleaned.get("latitude") or "").strip(), (cleaned.get("longitude") or "").strip()
        cleaned["coordinates"] = None
        if lat or lng:
            if not (lat and lng):
                self.add_error("latitude", _("Give both latitude and longitude, or leave both empty."))
                return
            try:
                cleaned["coordinates"] = clean_coordinates(lat, lng)
            except ValidationError as exc:
                self.add_error("latitude", exc)

    def setup_community(self, region_ids=None, *, first_district: str = "") -> None:
        field = self.fields["community"]
        field.choices = community_choices(region_ids, first_district=first_district)
        field.error_messages["invalid_choice"] = _("We do not know this community. Please choose one from the list.")
        field.error_messages["required"] = _("Choose the community.")

    def clean_community(self):
        code = self.cleaned_data.get("community") or ""
        if not code:
            return None
        community = community_by_code(code)
        if community is None:
            raise ValidationError(_("We do not know this community. Please choose one from the list."), code="unknown")
        return community


def _coordinate_field(label):
    return forms.CharField(
        label=label, required=False, max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}),
    )


class ReportForm(CoordinatesMixin, ResidentForm):
    """The public form (MISSION §3): kind, description, place, people and money, files, contact and consent."""

    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    point = forms.CharField(widget=forms.HiddenInput, required=False, max_length=24)
    place = forms.CharField(widget=forms.HiddenInput, required=False, max_length=24)
    # The version of the privacy notice this page showed: recorded with the consent (fengqiao.privacy).
    notice_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20,
                                     initial=privacy_notices.CURRENT)

    service_type = forms.ChoiceField(
        label=gettext_lazy("What kind of help do you need?"), choices=ServiceType.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Please choose what kind of help you need."),
                        "invalid_choice": gettext_lazy("Please choose what kind of help you need.")},
    )
    description = forms.CharField(
        label=gettext_lazy("What happened?"), max_length=5000, required=False,
        help_text=gettext_lazy("Who, what, when and where, in your own words."),
        widget=forms.Textarea(attrs={"rows": 6}), error_messages={"max_length": DESCRIPTION_TOO_LONG},
    )
    community = forms.ChoiceField(
        label=gettext_lazy("Community"), required=False, choices=(),
        help_text=gettext_lazy("Choose it from the list, or mark the place below."),
    )
    address = forms.CharField(
        label=gettext_lazy("Address or landmark"), required=False, max_length=200,
        help_text=gettext_lazy("For example: building 3, Biyan New Village"),
    )
    latitude = _coordinate_field(gettext_lazy("Latitude"))
    longitude = _coordinate_field(gettext_lazy("Longitude"))

    people_count = forms.IntegerField(
        label=gettext_lazy("How many people are involved?"), required=False, min_value=1, max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"min_value": gettext_lazy("At least one person is involved."),
                        "invalid": gettext_lazy("Give the number of people as a whole number.")},
    )
    amount = forms.DecimalField(
        label=gettext_lazy("How much money is involved (yuan)?"), required=False, min_value=0, max_digits=14,
        decimal_places=2, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        error_messages={"min_value": gettext_lazy("The money involved cannot be negative."),
                        "invalid": gettext_lazy("Give the amount as a number, for example 3500.")},
    )
    respondent = forms.CharField(
        label=gettext_lazy("Who is the other side?"), required=False, max_length=100,
        help_text=gettext_lazy("A person, a company or an office — if you know it."),
    )
    files = MultipleFileField(label=gettext_lazy("Photos, recordings or documents"))

    identity = forms.ChoiceField(
        label=gettext_lazy("Your name"), initial="named", widget=forms.RadioSelect,
        choices=[("named", gettext_lazy("Give my name and phone number")),
                 ("anonymous", gettext_lazy("Stay anonymous (complaints and suggestions only)"))],
    )
    name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"), required=False, max_length=24,
        help_text=gettext_lazy("We use it to reach you about this demand; its last four digits let you follow it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("I agree that the platform uses what I give here to handle my demand and to contact me about it."),
        error_messages={"required": gettext_lazy("Please agree, so that we may handle your demand.")},
    )
    consent_sensitive = forms.BooleanField(
        label=gettext_lazy("I agree that information about my health and wellbeing is recorded, kept confidential, "
                           "and seen only by the counsellors who help me."),
        required=False,
    )

    def __init__(self, *args, first_district: str = "", **kwargs):
        """`first_district`: the code of the resident's likely district, whose streets the list shows first."""
        super().__init__(*args, **kwargs)
        self.setup_community(first_district=first_district)

    def clean_description(self):
        return clean_description(self.cleaned_data.get("description") or "")

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone") or "", required=False)

    def clean_notice_version(self):
        return self.cleaned_data.get("notice_version") or privacy_notices.CURRENT

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notice_version", privacy_notices.CURRENT) not in privacy_notices.versions():
            self.add_error(None, _("The privacy notice on this page is out of date. Reload the page, read the "
                                   "notice it shows and send your demand again."))
        self.clean_place_fields(cleaned)
        cleaned["origin"] = qr_origin(point=cleaned.get("point") or "", place=cleaned.get("place") or "")
        self.clean_region(cleaned, cleaned["origin"])
        kind = cleaned.get("service_type")
        anonymous = cleaned.get("identity") == "anonymous"
        if anonymous and kind and kind not in ANONYMOUS_KINDS:
            self.add_error("identity", _(
                "Only complaints and suggestions can be made anonymously. For this kind of help we need your name "
                "and phone number to help you."))
        if not anonymous:
            if not (cleaned.get("name") or "").strip():
                self.add_error("name", _("Please tell us your name."))
            if "phone" in cleaned and not cleaned["phone"]:
                self.add_error("phone", _("Please give a phone number so that we can reach you."))
        if kind == ServiceType.PSYCHOLOGICAL and not cleaned.get("consent_sensitive"):
            self.add_error("consent_sensitive", _(
                "Psychological help is confidential. Please agree that we record what a counsellor needs to help you."))
        return cleaned


class TrackForm(ResidentForm):
    code = forms.CharField(
        label=gettext_lazy("Case code"), max_length=24,
        help_text=gettext_lazy("As on your confirmation, e.g. GM-2026-000123"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Enter the case code.")},
    )
    digits = forms.CharField(
        label=gettext_lazy("Last four digits of your phone number"), min_length=4, max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Enter the last four digits of your phone number."),
                        "min_length": gettext_lazy("Enter exactly four digits."),
                        "max_length": gettext_lazy("Enter exactly four digits.")},
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean_digits(self) -> str:
        digits = self.cleaned_data["digits"].strip()
        if not digits.isdigit():
            raise ValidationError(_("Enter exactly four digits."))
        return digits


class VersionedForm(ResidentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddInfoForm(VersionedForm):
    text = forms.CharField(
        label=gettext_lazy("What would you like to add?"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(label=gettext_lazy("Photos, recordings or documents"))

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("files") and "files" not in self.errors:
            self.add_error("text", _("Write something or attach a file."))
        return cleaned


class WithdrawForm(VersionedForm):
    reason = forms.CharField(label=gettext_lazy("Why do you withdraw it? (optional)"), required=False, max_length=500)


class ConfirmForm(VersionedForm):
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("How satisfied are you with the result?"), choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how satisfied you are.")},
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label=gettext_lazy("What is still not solved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Tell us what is still not solved, so that it can be handled again.")},
    )


# --- resident account ----------------------------------------------------------------------------


class SignupForm(ResidentForm):
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=24,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    name = forms.CharField(label=gettext_lazy("Name (optional)"), required=False, max_length=64,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label=gettext_lazy("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_phone(self) -> str:
        phone = clean_phone(self.cleaned_data.get("phone") or "")
        User = get_user_model()
        if User.objects.filter(Q(username=phone) | Q(phone=phone)).exists():
            raise ValidationError(_("An account with this phone number exists already. Please sign in."))
        return phone

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1 and cleaned.get("phone"):
            User = get_user_model()
            try:
                password_validation.validate_password(p1, User(username=cleaned["phone"], phone=cleaned["phone"]))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


# --- staff entry and grid report ------------------------------------------------------------------


class StaffIntakeForm(CoordinatesMixin, forms.Form):
    """Walk-in and hotline (12345) demands typed by an operator while the resident talks."""

    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), initial=Channel.HOTLINE, widget=forms.RadioSelect,
        choices=[(Channel.HOTLINE, Channel.HOTLINE.label), (Channel.WALK_IN, Channel.WALK_IN.label)],
    )
    phone = forms.CharField(
        label=gettext_lazy("Caller's phone"), max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    applicant_name = forms.CharField(label=gettext_lazy("Caller's name"), max_length=100)
    service_type = forms.ChoiceField(label=gettext_lazy("Service"), choices=ServiceType.choices,
                                     initial=ServiceType.COMPLAINT)
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), required=False, queryset=Category.objects.none())
    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=120,
                            help_text=gettext_lazy("Left empty: the start of the description."))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    community = forms.ChoiceField(label=gettext_lazy("Community"), choices=())
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=200)
    latitude = _coordinate_field(gettext_lazy("Latitude"))
    longitude = _coordinate_field(gettext_lazy("Longitude"))
    people_count = forms.IntegerField(label=gettext_lazy("People involved"), min_value=1, initial=1, max_value=100000)
    amount = forms.DecimalField(label=gettext_lazy("Money involved (yuan)"), required=False, min_value=0,
                                max_digits=14, decimal_places=2)
    respondent = forms.CharField(label=gettext_lazy("Other side (person or organisation)"), required=False,
                                 max_length=100)
    consent_contact = forms.BooleanField(label=gettext_lazy("The caller may be called back"), required=False,
                                         initial=True)

    def __init__(self, *args, region_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_community(region_ids)
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=False).select_related("parent")
        self.region_ids = region_ids

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone") or "")

    def clean_description(self):
        return clean_description(self.cleaned_data.get("description") or "")

    def clean_community(self):
        community = super().clean_community()
        if community is not None and self.region_ids is not None and community.pk not in self.region_ids:
            raise ValidationError(_("This community is outside your area."))
        return community

    def clean(self):
        cleaned = super().clean()
        self.clean_place_fields(cleaned)
        self.clean_region(cleaned)
        return cleaned


class GridReportForm(CoordinatesMixin, forms.Form):
    """A grid worker's or safety volunteer's lead from a patrol, typed on a phone."""

    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    patrol_type = forms.ChoiceField(label=gettext_lazy("Patrol"), choices=PatrolType.choices, initial=PatrolType.DAILY,
                                    widget=forms.RadioSelect)
    service_type = forms.ChoiceField(label=gettext_lazy("Kind of matter"), choices=ServiceType.choices,
                                     initial=ServiceType.COMPLAINT)
    description = forms.CharField(label=gettext_lazy("What did you find?"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=gettext_lazy("Photos"))
    community = forms.ChoiceField(label=gettext_lazy("Community"), required=False, choices=())
    address = forms.CharField(label=gettext_lazy("Address or landmark"), required=False, max_length=200)
    latitude = _coordinate_field(gettext_lazy("Latitude"))
    longitude = _coordinate_field(gettext_lazy("Longitude"))
    people_count = forms.IntegerField(label=gettext_lazy("People involved"), min_value=1, initial=1, required=False,
                                      max_value=100000)

    def __init__(self, *args, region_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_community(region_ids)

    def clean_description(self):
        return clean_description(self.cleaned_data.get("description") or "")

    def clean(self):
        cleaned = super().clean()
        self.clean_place_fields(cleaned)
        self.clean_region(cleaned)
        return cleaned


def upload_limit_mb() -> int:
    return settings.FQ_MAX_UPLOAD_MB
