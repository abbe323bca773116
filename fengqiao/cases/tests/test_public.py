"""What the public sees of each timeline line (fengqiao.cases.public): plain steps, never internal reasons."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.cases.public import public_entry, public_timeline
from fengqiao.cases.workflow import STEP_ACTIONS, Action

pytestmark = pytest.mark.django_db
SECRET = "职责清单第5条（第1版）INTERNAL"

# Written by staff *for* the resident: a refusal, progress, the result, a public message.
WORDS_FOR_RESIDENT = {Action.REJECT, Action.PROGRESS, Action.RESOLVE, Action.NOTE}
# Written by the resident themselves: shown only when they did it.
RESIDENT_WORDS = {Action.WITHDRAW, Action.REOPEN}
# Never on a public page, whatever the stored flag says.
NEVER_PUBLIC = {Action.EXTENSION_REQUEST, Action.EXTENSION_DECIDE, Action.ASSIGN, Action.PII_REVEAL, Action.REGRADE,
                Action.DEADLINE_REMINDER, Action.DEADLINE_OVERDUE, Action.DEADLINE_ESCALATED,
                # a procedure step without words chosen for the public (data["public"]) is for staff only
                *STEP_ACTIONS}


def event(case, action, *, actor=None, unit=None, data=None, is_public=True):
    return CaseEvent(case=case, seq=1, at=timezone.now(), action=action, actor=actor, actor_unit=unit,
                     reason=SECRET, data=data or {}, is_public=is_public)


@pytest.fixture
def case(make_case, cast):
    return make_case(applicant_user=cast.resident)


@pytest.mark.parametrize("action", Action.values)
def test_every_action_by_staff_reads_in_plain_words(case, cast, org, action):
    data = {"to_unit": org.hr.pk, "unit": org.hr.pk, "unjustified_return_by": org.hr.pk}
    entry = public_entry(event(case, action, actor=cast.op_community, unit=org.community_centre, data=data), case,
                         {org.hr.pk: org.hr})
    if action in NEVER_PUBLIC:
        assert entry is None
        return
    assert entry is not None and entry.label and SECRET not in entry.label
    assert "%(" not in entry.label  # a unit named in the label is filled in
    assert (entry.text == SECRET) == (action in WORDS_FOR_RESIDENT)
    assert not entry.by_resident


@pytest.mark.parametrize("action", Action.values)
def test_a_line_staff_kept_internal_is_never_shown(case, cast, org, action):
    assert public_entry(event(case, action, actor=cast.op_community, unit=org.community_centre, is_public=False),
                        case) is None


@pytest.mark.parametrize("action", sorted(STEP_ACTIONS))
def test_a_procedure_step_shows_the_words_its_service_chose_in_the_readers_language(case, cast, org, action):
    data = {"step": "agreement_effective", "public": "Sent to %(unit)s", "public_args": {"unit": "光明区人民法院"}}
    line = event(case, action, actor=cast.op_community, unit=org.community_centre, data=data)
    with translation.override("zh-hans"):
        entry = public_entry(line, case)
    assert entry.label == "已分拨至光明区人民法院" and entry.text == ""  # the reason stays with staff
    line.data = {**data, "public_words": True}
    assert public_entry(line, case).text == SECRET


@pytest.mark.parametrize("action", sorted(RESIDENT_WORDS | {Action.CONFIRM}))
def test_the_residents_own_moves_are_named_as_theirs(case, cast, action):
    for actor in (cast.resident, None):  # signed in, or verified on the tracking page
        entry = public_entry(event(case, action, actor=actor), case)
        assert entry.by_resident and entry.unit == ""
        assert (entry.text == SECRET) == (action in RESIDENT_WORDS)


def test_the_words_a_resident_added_are_theirs_and_a_file_has_no_internal_text(case, cast):
    added = public_entry(event(case, Action.NOTE, data={CaseEvent.INFORMATION: True}), case)
    assert added.by_resident and added.text == SECRET
    with translation.override("en"):
        assert public_entry(event(case, Action.NOTE, data={CaseEvent.INFORMATION: True}), case).label == \
            "What you added"
        file_line = public_entry(event(case, Action.NOTE, actor=cast.handler, data={"attachment": 1}), case)
    assert file_line.label == "File added" and file_line.text == ""


def test_dispatch_names_the_unit_in_both_languages(case, cast, org):
    line = event(case, Action.DISPATCH, actor=cast.op_community, unit=org.community_centre,
                 data={"to_unit": org.hr.pk})
    with translation.override("zh-hans"):
        assert public_entry(line, case).label == "已分拨至光明区人力资源局"
    with translation.override("en"):
        assert public_entry(line, case).label == "Sent to 光明区人力资源局"


def dispatched_as_suggested(make_case, cast):
    """A case sent to the unit the responsibility list names, by accepting the suggestion with one click."""
    from fengqiao.routing.services import resolve_category
    from fengqiao.triage import services as ts
    from fengqiao.triage.models import Part

    case = make_case(category=resolve_category("劳动和社会保障"), applicant_user=cast.resident,
                     parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13912345678")])
    ts.triage_accept(case=case, actor=cast.op_community, part=Part.UNIT)
    return Case.objects.get(pk=case.pk)


def test_a_case_dispatched_as_the_routing_suggests_shows_no_rule_on_public_pages(gm_rules, make_case, cast, org,
                                                                                 client_for):
    case = dispatched_as_suggested(make_case, cast)
    internal = case.events.get(action=Action.DISPATCH).reason
    assert internal  # the staff timeline keeps the rule reference
    with translation.override("zh-hans"):
        labels = [e.label for e in public_timeline(case)]
    assert "已分拨至光明区人力资源局" in labels
    assert all(internal not in e.text for e in public_timeline(case))
    own_page = client_for(cast.resident).get(reverse("cases:detail", args=[case.code]))
    html = own_page.content.decode()
    assert own_page.status_code == 200 and "已分拨至光明区人力资源局" in html
    assert internal not in html and "职责清单" not in html
