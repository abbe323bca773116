"""The case page as staff use it: every reason a service can demand has its box, every form its own ids,
every stored choice its label."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from fengqiao.cases import services as cs
from fengqiao.cases.forms import ActionForm
from fengqiao.cases.models import Case, Outcome, Satisfaction
from fengqiao.cases.tests.test_workflow import walk_to
from fengqiao.cases.views import SERVICE_CALLS
from fengqiao.cases.workflow import TRANSITIONS, Action, Status
from fengqiao.org.models import Membership

pytestmark = pytest.mark.django_db

# The first state (in the order of the loop) where each action can be taken.
LOOP = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.RETURNED, Status.SIGNED, Status.IN_PROGRESS,
        Status.ON_HOLD, Status.RESOLVED, Status.CONFIRMED]


def ready_for(action: str, *, org, make_case) -> Case:
    status = next(s for s in LOOP if s in TRANSITIONS[action].sources)
    case = walk_to(status, make_case(), org=org, other=make_case())
    if action == Action.EXTENSION_DECIDE:
        cs.case_extension_request(case=case, actor=None, reason="需要调取工厂账目", days=3)
    return Case.objects.get(pk=case.pk)


def everything_but_a_reason(case: Case, *, org, other: Case) -> tuple[dict, dict]:
    """(what the form posts, what the view hands the service) for any action: valid values, an empty reason,
    and a decision that refuses."""
    member = Membership.objects.filter(unit=case.holder_unit, is_active=True).select_related("user").first()
    post = {"version": case.version, "reason": "", "unit": org.housing.pk, "outcome": Outcome.RESOLVED,
            "satisfaction": Satisfaction.SATISFIED, "days": 3, "approve": "no", "into": other.code, "grade": "red"}
    cleaned = {"version": case.version, "reason": "", "unit": org.housing, "assisting": [], "outcome": Outcome.RESOLVED,
               "satisfaction": Satisfaction.SATISFIED, "days": 3, "approve": False, "into": other, "grade": "red"}
    if member is not None:
        post["assignee"], cleaned["assignee"] = member.user.pk, member.user
    return post, cleaned


@pytest.mark.parametrize("action", sorted(SERVICE_CALLS))
def test_a_reason_the_service_can_demand_has_its_box_in_the_form(action, cast, org, make_case, monkeypatch):
    """Over every action the case page can post: when the service refuses for want of a reason, the form has
    the reason box and refuses first, with the service's own words; when the service does not, neither does the
    form. (An operator could not refuse an extension: the service asked for a reason the form had no box for.)"""
    monkeypatch.setattr(cs, "_check_right", lambda *args, **kwargs: None)  # rights are another test's business
    case = ready_for(action, org=org, make_case=make_case)
    post, cleaned = everything_but_a_reason(case, org=org, other=make_case())
    form = ActionForm(post, action=action, case=case)
    form_ok = form.is_valid()
    try:
        SERVICE_CALLS[action](case, cast.op_community, cleaned)
        demanded = None
    except ValidationError as exc:
        demanded = exc.message_dict.get("reason")
        assert demanded, f"{action}: the service refused for another reason: {exc.message_dict}"
    if demanded:
        assert "reason" in form.fields, f"{action}: the service asks for a reason the form has no box for"
        assert not form_ok and form.errors["reason"] == demanded, action
    else:
        assert form_ok, (action, form.errors)


def test_an_approved_extension_needs_no_reason_a_refused_one_does(cast, org, make_case):
    case = ready_for(Action.EXTENSION_DECIDE, org=org, make_case=make_case)
    approve = ActionForm({"version": case.version, "approve": "yes", "reason": ""}, action=Action.EXTENSION_DECIDE,
                         case=case)
    refuse = ActionForm({"version": case.version, "approve": "no", "reason": ""}, action=Action.EXTENSION_DECIDE,
                        case=case)
    assert approve.is_valid()
    assert not refuse.is_valid() and list(refuse.errors) == ["reason"]
    assert not refuse.fields["reason"].required  # no browser-side "required": the refusal is what makes it so
    assert "需要调取工厂账目" in refuse.fields["approve"].help_text  # the operator sees what they decide on


def signed_case_with_extension_request(cast, org, make_case) -> Case:
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr)
    cs.case_sign(case=case, actor=cast.handler)
    cs.case_extension_request(case=case, actor=cast.handler, reason="需要劳动监察大队立案调查", days=3)
    return Case.objects.get(pk=case.pk)


def test_the_operator_refuses_an_extension_with_a_reason(cast, org, make_case, client_for):
    case = signed_case_with_extension_request(cast, org, make_case)
    client = client_for(cast.op_community)
    url = reverse("cases:act", args=[case.code, Action.EXTENSION_DECIDE])
    page = client.post(url, {"version": case.version, "approve": "no", "reason": ""})
    assert page.status_code == 400
    html = page.content.decode()
    box = html[html.index('id="act-extension_decide-reason"'):]
    assert box.index("请说明不同意延期的理由。") < box.index("</p>")  # the error sits with its box
    assert not case.events.filter(action=Action.EXTENSION_DECIDE).exists()
    done = client.post(url, {"version": case.version, "approve": "no", "reason": "账目调查可与处置同步进行"})
    assert done.status_code == 302
    event = case.events.get(action=Action.EXTENSION_DECIDE)
    assert (event.data["approved"], event.reason) == (False, "账目调查可与处置同步进行")


# --- ids and labels ---------------------------------------------------------------------------------------


class IdCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.described_by: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_targets.append(attrs["for"])
        for name in ("aria-describedby", "aria-labelledby"):
            if attrs.get(name):
                self.described_by.extend(attrs[name].split())


def ids_of(html: str) -> IdCollector:
    parser = IdCollector()
    parser.feed(html)
    return parser


def assert_ids_are_sound(html: str) -> None:
    found = ids_of(html)
    duplicates = [i for i, n in Counter(found.ids).items() if n > 1]
    assert not duplicates, duplicates
    assert set(found.label_targets) <= set(found.ids), set(found.label_targets) - set(found.ids)
    assert set(found.described_by) <= set(found.ids), set(found.described_by) - set(found.ids)


@pytest.mark.parametrize("who", ["op_community", "handler"])
def test_every_form_on_the_case_page_has_its_own_ids(who, cast, org, make_case, client_for):
    case = signed_case_with_extension_request(cast, org, make_case)
    cs.case_progress(case=case, actor=cast.handler, note="已约谈工厂负责人")
    html = client_for(getattr(cast, who)).get(reverse("cases:detail", args=[case.code])).content.decode()
    assert html.count('name="reason"') >= 3  # many action forms with a reason box on this page
    assert_ids_are_sound(html)


def test_ids_stay_unique_when_a_form_comes_back_with_errors(cast, org, make_case, client_for):
    case = signed_case_with_extension_request(cast, org, make_case)
    page = client_for(cast.op_community).post(reverse("cases:act", args=[case.code, Action.SUPERVISE]),
                                              {"version": case.version, "reason": ""})
    assert page.status_code == 400
    assert_ids_are_sound(page.content.decode())


def test_the_queue_page_has_unique_ids(cast, make_case, client_for):
    make_case()
    assert_ids_are_sound(client_for(cast.op_community).get(reverse("cases:list")).content.decode())


# --- stored choices ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "outcome", "satisfaction"), [
    ("zh-hans", "部分化解", "基本满意"),
    ("en", "Partly resolved", "Basically satisfied"),
])
def test_outcome_and_satisfaction_are_shown_by_their_labels(language, outcome, satisfaction, cast, org, make_case,
                                                           client_for):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr)
    cs.case_sign(case=case, actor=cast.handler)
    cs.case_resolve(case=case, actor=cast.handler, outcome=Outcome.PARTLY, note="补发了一半工资")
    cs.case_confirm(case=case, actor=cast.op_community, satisfaction=Satisfaction.BASICALLY_SATISFIED,
                    by="return_visit")
    client = client_for(cast.op_community)
    client.cookies["django_language"] = language
    with translation.override(language):
        html = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert f'<dd data-field="outcome">{outcome}</dd>' in html
    assert f'<dd data-field="satisfaction">{satisfaction}</dd>' in html
    assert "partly" not in html.replace('data-field="', "") and "basically_satisfied" not in html


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-hans", ["申请延期3天", "已同意：延期3天", "三类（绿色） → 一类（红色）"]),
    ("en", ["3 more days asked for", "Approved: 3 more days", "Class 3 (green) → Class 1 (red)"]),
])
def test_the_timeline_says_what_the_stored_data_of_a_line_means(language, expected, cast, org, make_case, client_for):
    case = signed_case_with_extension_request(cast, org, make_case)
    cs.case_extension_decide(case=case, actor=cast.op_community, approve=True)
    cs.case_regrade(case=case, actor=cast.op_community, grade="red", reason="涉及二十多人")
    client = client_for(cast.op_community)
    client.cookies["django_language"] = language
    html = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    details = [line.split(">", 1)[1].split("<", 1)[0] for line in html.split('<span class="event-detail"')[1:]]
    assert details == expected
