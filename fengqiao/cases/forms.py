"""Forms of the workbench: the queue filters and the lifecycle actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, Category, Channel, Grade, ServiceType
from fengqiao.cases.selectors import QUEUES
from fengqiao.cases.workflow import Action, Status, needs_reason
from fengqiao.org.models import OrgUnit, Region, Role
from fengqiao.org.rules import CENTRE_KINDS

SORTS = {
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "due": _("Due soonest"),
}


ANY = _("Any")


def _blank(choices):
    return [("", ANY), *choices]


class CaseFilterForm(forms.Form):
    queue = forms.ChoiceField(label=_("Queue"), required=False, choices=_blank([(q.slug, q.label) for q in QUEUES.values()]))
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Case code, phone number or words in the text"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Status.choices))
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=_blank(Grade.choices))
    service_type = forms.ChoiceField(label=_("Service"), required=False, choices=_blank(ServiceType.choices))
    category = forms.ModelChoiceField(label=_("Category"), required=False,
                                      queryset=Category.objects.filter(parent__isnull=True))
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.none())
    unit = forms.ModelChoiceField(label=_("Holding unit"), required=False, queryset=OrgUnit.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_blank(Channel.choices))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=list(SORTS.items()))

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(pk__in=scope.region_ids)
        self.fields["unit"].queryset = OrgUnit.objects.filter(pk__in=scope.unit_ids)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


OUTCOME_CHOICES = [
    ("resolved", _("Resolved")),
    ("partly", _("Partly resolved")),
    ("not_resolved", _("Not resolved: referred to arbitration or litigation")),
]
SATISFACTION_CHOICES = [
    ("satisfied", _("Satisfied")),
    ("basically_satisfied", _("Basically satisfied")),
    ("dissatisfied", _("Dissatisfied")),
]

# Which extra fields each action asks for (besides the reason when the workflow needs one).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    Action.DISPATCH: ("unit", "assisting"),
    Action.REDISPATCH: ("unit",),
    Action.RESOLVE: ("outcome",),
    Action.CONFIRM: ("satisfaction",),
    Action.EXTENSION_REQUEST: ("days",),
    Action.EXTENSION_DECIDE: ("approve",),
    Action.ASSIGN: ("assignee",),
    Action.ASSIST: ("unit",),
    Action.MERGE: ("into",),
    Action.REGRADE: ("grade",),
}
# Actions whose note is asked for although the workflow does not insist on a reason.
NOTE_ACTIONS = frozenset({Action.PROGRESS, Action.RESOLVE, Action.NOTE, Action.REDISPATCH, Action.SUPERVISE})


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason / note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    assisting = forms.ModelMultipleChoiceField(label=_("Assisting units"), queryset=OrgUnit.objects.none(), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, required=False)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=SATISFACTION_CHOICES, required=False)
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=30, required=False)
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Approve")), ("no", _("Refuse"))], required=False)
    assignee = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    into = forms.CharField(label=_("Main case code"), max_length=24, required=False)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, required=False)

    def __init__(self, *args, action: str, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        from fengqiao.accounts.models import User

        self.action, self.case = action, case
        wanted = set(ACTION_FIELDS.get(action, ())) | {"version"}
        if needs_reason(action) or action in NOTE_ACTIONS:
            wanted.add("reason")
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        district_path = case.holder_unit.path.split("/")[1]
        targets = OrgUnit.objects.filter(path__startswith=f"/{district_path}/", is_active=True).exclude(kind__in=CENTRE_KINDS)
        if "unit" in self.fields:
            self.fields["unit"].queryset = targets.exclude(pk=case.holder_unit_id)
            self.fields["unit"].required = True
        if "assisting" in self.fields:
            self.fields["assisting"].queryset = targets
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = User.objects.filter(
                memberships__unit=case.holder_unit, memberships__is_active=True,
                memberships__role__in=[Role.HANDLER, Role.OPERATOR, Role.MEDIATOR],
            ).distinct()
            self.fields["assignee"].required = True
        for name in ("outcome", "satisfaction", "days", "approve", "into", "grade"):
            if name in self.fields:
                self.fields[name].required = True
        if "reason" in self.fields and (needs_reason(action) or action in (Action.PROGRESS, Action.RESOLVE, Action.NOTE)):
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("A reason is required for this action.")

    def clean_into(self):
        code = self.cleaned_data["into"].strip().upper()
        target = Case.objects.filter(code=code).first()
        if target is None:
            raise forms.ValidationError(_("No case has the code %(code)s.") % {"code": code})
        return target
