"""The workbench as staff use it: queues, filters, the case page, actions, masking, bulk dispatch."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.cases.workflow import Action, Status

pytestmark = pytest.mark.django_db

OTHER_COMMUNITY = "440311006001"  # 马田街道 薯田埔社区


def codes_in(response) -> set[str]:
    return set(re.findall(r'data-code="([A-Z]+-\d{4}-\d{6})"', response.content.decode()))


def applicant(phone="13912345678", id_number="440311199001011234", name="王小梅"):
    return cs.PartyInput(role=Party.PartyRole.APPLICANT, name=name, phone=phone, id_type="resident_id",
                         id_number=id_number)


def test_queues_show_only_visible_cases(cast, make_case, client_for):
    mine = make_case()
    elsewhere = make_case(OTHER_COMMUNITY)
    community = client_for(cast.op_community).get(reverse("cases:list"), {"queue": "to_review"})
    assert community.status_code == 200
    assert mine.code in codes_in(community) and elsewhere.code not in codes_in(community)
    district = client_for(cast.op_district).get(reverse("cases:list"), {"queue": "to_review"})
    assert {mine.code, elsewhere.code} <= codes_in(district)
    luohu = client_for(cast.luohu_op).get(reverse("cases:list"))
    assert not codes_in(luohu) & {mine.code, elsewhere.code}


def test_filters_search_by_phone_and_code_and_grade(cast, make_case, client_for):
    a = make_case(parties=[applicant(phone="13900001111")])
    b = make_case(grade="red")
    client = client_for(cast.op_district)
    assert codes_in(client.get(reverse("cases:list"), {"q": "13900001111"})) == {a.code}
    assert codes_in(client.get(reverse("cases:list"), {"q": b.code.lower()})) == {b.code}
    red = codes_in(client.get(reverse("cases:list"), {"grade": "red"}))
    assert b.code in red and a.code not in red


def test_bad_filter_input_is_reported_not_crashing(cast, client_for):
    response = client_for(cast.op_district).get(reverse("cases:list"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_keyset_pagination_walks_every_case_once(cast, make_case, client_for):
    made = {make_case().code for _ in range(30)}
    client = client_for(cast.op_community)
    seen, url, pages = set(), reverse("cases:list"), 0
    params = {"queue": "to_review"}
    while url and pages < 10:
        response = client.get(url, params)
        page = codes_in(response)
        assert not page & seen
        seen |= page
        match = re.search(r'href="(\?[^"]*after=[^"]+)" rel="next"', response.content.decode())
        url, params = (reverse("cases:list") + match.group(1).replace("&amp;", "&"), None) if match else (None, None)
        pages += 1
    assert made <= seen and pages >= 2


def test_list_page_query_budget_does_not_grow_with_rows(cast, make_case, client_for, django_assert_max_num_queries):
    for _ in range(30):
        make_case()
    client = client_for(cast.op_district)
    client.get(reverse("cases:list"))  # warm the session
    with django_assert_max_num_queries(16):
        client.get(reverse("cases:list"))


def test_home_page_query_budget(cast, make_case, client_for, django_assert_max_num_queries):
    for _ in range(10):
        make_case()
    client = client_for(cast.op_community)
    client.get("/")
    with django_assert_max_num_queries(30):
        assert client.get("/").status_code == 200


def test_case_page_masks_personal_data_until_revealed_and_logs_the_read(cast, make_case, client_for):
    case = make_case(parties=[applicant()])
    client = client_for(cast.op_community)
    page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert "440311199001011234" not in page
    assert "王小梅" not in page and "王**" in page
    revealed = client.post(reverse("cases:reveal", args=[case.code]), {"reason": "回电核实"})
    assert "13912345678" in revealed.content.decode()
    event = CaseEvent.objects.get(case=case, action=Action.PII_REVEAL)
    assert event.actor == cast.op_community and event.reason == "回电核实" and not event.is_public


def test_station_staff_cannot_reveal(cast, make_case, client_for):
    case = make_case(parties=[applicant()])
    response = client_for(cast.station).post(reverse("cases:reveal", args=[case.code]))
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(case=case, action=Action.PII_REVEAL).exists()


def test_page_offers_only_the_actions_this_user_may_take(cast, make_case, client_for, org):
    case = make_case()
    operator_page = client_for(cast.op_community).get(reverse("cases:detail", args=[case.code])).content.decode()
    assert 'data-action="accept"' in operator_page and 'data-action="sign"' not in operator_page
    station_page = client_for(cast.station).get(reverse("cases:detail", args=[case.code])).content.decode()
    assert 'data-action="accept"' not in station_page


def test_action_post_runs_the_service_and_refusals_leave_the_case_unchanged(cast, make_case, client_for, org):
    case = make_case()
    op = client_for(cast.op_community)
    url = lambda action: reverse("cases:act", args=[case.code, action])  # noqa: E731
    assert op.post(url("accept"), {"version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    # Not allowed in this state: 409, unchanged.
    assert op.post(url("accept"), {"version": case.version}).status_code == 409
    # Allowed in this state but not for this user: 403.
    assert client_for(cast.handler).post(url("dispatch"), {"version": case.version, "unit": org.hr.pk}).status_code in (
        403, 404)
    # A reason is required: 400 with the message, unchanged.
    response = op.post(url("escalate"), {"version": case.version, "reason": ""})
    with translation.override("zh-hans"):
        required = translation.gettext("A reason is required for this action.")
    assert response.status_code == 400 and required in response.content.decode()
    # A stale version (someone else acted): 409.
    stale = case.version - 1
    assert op.post(url("dispatch"), {"version": stale, "unit": org.hr.pk}).status_code == 409
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.holder_unit == org.community_centre
    assert op.post(url("dispatch"), {"version": case.version, "unit": org.hr.pk}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.holder_unit == org.hr


def test_bulk_dispatch_dispatches_accepted_cases_and_reports_refusals(cast, make_case, client_for, org):
    accepted = [make_case() for _ in range(3)]
    for case in accepted:
        cs.case_accept(case=case, actor=cast.op_community)
    fresh = make_case()
    response = client_for(cast.op_community).post(
        reverse("cases:bulk"),
        {"bulk_action": "dispatch", "unit": org.hr.pk, "codes": [c.code for c in accepted] + [fresh.code]},
        follow=True,
    )
    body = response.content.decode()
    assert all(Case.objects.get(pk=c.pk).holder_unit == org.hr for c in accepted)
    assert Case.objects.get(pk=fresh.pk).status == Status.SUBMITTED
    assert fresh.code in body


def test_resident_sees_public_timeline_and_confirms(cast, make_case, client_for, org):
    case = make_case(applicant_user=cast.resident)
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_note(case=case, actor=cast.op_community, text="内部：当事人情绪激动")
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr)
    cs.case_sign(case=case, actor=cast.handler)
    cs.case_resolve(case=case, actor=cast.handler, outcome="resolved", note="已协调企业补发工资")
    resident = client_for(cast.resident)
    page = resident.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert "已协调企业补发工资" in page and "内部：当事人情绪激动" not in page
    assert 'data-action="confirm"' in page and 'data-action="dispatch"' not in page
    response = resident.post(reverse("cases:act", args=[case.code, "confirm"]),
                             {"version": Case.objects.get(pk=case.pk).version, "satisfaction": "satisfied"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CONFIRMED and case.satisfaction == "satisfied"
    assert case.events.get(action=Action.CONFIRM).data == {"by": "resident"}


def test_outsider_gets_404_for_a_case_and_nothing_in_lists(cast, make_case, client_for):
    case = make_case()
    outsider = client_for(cast.outsider)
    assert outsider.get(reverse("cases:detail", args=[case.code])).status_code == 404
    assert outsider.post(reverse("cases:act", args=[case.code, "accept"]), {"version": 1}).status_code == 404


def test_after_a_return_the_unit_lands_on_its_queues_not_a_404(cast, make_case, client_for, org):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.housing)
    response = client_for(cast.handler_other).post(
        reverse("cases:act", args=[case.code, "return"]), {"version": Case.objects.get(pk=case.pk).version,
                                                           "reason": "非本单位职责"})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    case.refresh_from_db()
    assert case.status == Status.RETURNED and case.holder_unit == org.community_centre
