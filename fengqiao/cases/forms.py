"""Forms of the workbench: the queue filters and the lifecycle actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, Category, Channel, Grade, Outcome, Satisfaction, ServiceType
from fengqiao.cases.selectors import QUEUES
from fengqiao.cases.workflow import Action, ReasonRule, Status, reason_missing, reason_rule
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


# Which extra fields each action asks for (besides the reason box: workflow.reason_rule decides that one).
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
# What the reason box is called where "Reason / note" would not say what to write.
REASON_LABELS = {
    Action.PROGRESS: _("What was done"),
    Action.RESOLVE: _("Result for the resident"),
    Action.NOTE: _("Note"),
    Action.WITHDRAW: _("Reason (optional)"),
    Action.EXTENSION_DECIDE: _("Reason (required when you refuse)"),
}


def action_auto_id(action: str) -> str:
    """Ids of one action's fields ("act-extension_decide-reason"): every form on the case page has its own."""
    return f"act-{action}-%s"


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason / note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    assisting = forms.ModelMultipleChoiceField(label=_("Assisting units"), queryset=OrgUnit.objects.none(), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, required=False)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices, required=False)
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=30, required=False)
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Approve")), ("no", _("Refuse"))], required=False)
    assignee = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    into = forms.CharField(label=_("Main case code"), max_length=24, required=False)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, required=False)

    def __init__(self, *args, action: str, case: Case, **kwargs):
        kwargs.setdefault("auto_id", action_auto_id(action))
        super().__init__(*args, **kwargs)
        from fengqiao.accounts.models import User

        self.action, self.case = action, case
        wanted = set(ACTION_FIELDS.get(action, ())) | {"version"}
        rule = reason_rule(action)
        if rule != ReasonRule.NEVER:
            wanted.add("reason")
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.order_fields([*ACTION_FIELDS.get(action, ()), "reason"])  # decide first, then say why
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
        if "reason" in self.fields:
            self.fields["reason"].label = REASON_LABELS.get(action, self.fields["reason"].label)
            if rule == ReasonRule.REQUIRED:
                self.fields["reason"].required = True
                self.fields["reason"].error_messages["required"] = reason_missing(action, "")
        if action == Action.EXTENSION_DECIDE:
            self._describe_pending_extension()

    def _describe_pending_extension(self) -> None:
        from fengqiao.cases.services import pending_extension

        request = pending_extension(self.case)
        if request is not None:
            self.fields["approve"].help_text = _("Asked for %(days)s more days: %(reason)s") % {
                "days": request.data.get("days"), "reason": request.reason}

    def clean(self):
        data = super().clean()
        if "reason" in self.fields and "reason" not in self.errors:
            missing = reason_missing(self.action, data.get("reason") or "", approve=data.get("approve"))
            if missing:
                self.add_error("reason", missing)
        return data

    def clean_into(self):
        code = self.cleaned_data["into"].strip().upper()
        target = Case.objects.filter(code=code).first()
        if target is None:
            raise forms.ValidationError(_("No case has the code %(code)s.") % {"code": code})
        return target
