"""/screen/data.json: the figures of a hand-made example, the viewer's scope, bad input, a fixed query budget."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import GM, HOME_COMMUNITY, LH
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Party
from fengqiao.dashboard import tallies

URL = reverse("dashboard:data")
STREET = HOME_COMMUNITY[:9]


def _resolve(case, outcome, satisfaction=None, late=False):
    for step in (cs.case_accept, cs.case_sign, cs.case_start):
        if step is cs.case_sign:
            cs.case_dispatch(case=case, actor=None, unit=case.holder_unit)
        step(case=case, actor=None)
    at = timezone.now() + (timedelta(days=60) if late else timedelta())
    cs.case_resolve(case=case, actor=None, outcome=outcome, note="已处理", at=at)
    if satisfaction:
        cs.case_confirm(case=case, actor=None, satisfaction=satisfaction)
    return case


@pytest.fixture
def five(make_case, org):
    """Five cases in 光明社区, one in 罗湖 (never counted for a 光明 viewer)."""
    now = timezone.now()
    company = [cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="深圳市某某建筑公司", kind=Party.Kind.ORGANISATION)]
    a = make_case(people_count=6, amount=Decimal("1000.50"), grade="red", service_type="mediation", parties=company)
    b = make_case(people_count=2, amount=Decimal("200"), grade="yellow", service_type="mediation", parties=company)
    neighbour = [cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="张三", kind=Party.Kind.PERSON)]
    c = make_case(
        people_count=1, grade="green", service_type="complaint", latitude=22.77, longitude=113.93, parties=neighbour
    )
    d = make_case(people_count=3, grade="green", service_type="legal", submitted_at=now - timedelta(days=2))
    e = make_case(people_count=1, grade="green", service_type="complaint")
    other = make_case(LH, people_count=50, amount=Decimal("99999"), grade="red")
    _resolve(a, "resolved", "satisfied")
    _resolve(b, "partly", "dissatisfied", late=True)
    _resolve(c, "not_resolved")
    cs.case_reject(case=e, actor=None, reason="不属于受理范围")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "other": other}


def test_the_figures_of_five_hand_made_cases(five, cast, client_for):
    answer = client_for(cast.op_district).get(URL, {"region": GM}).json()
    t = answer["totals"]
    assert (t["received"], t["resolved"], t["people"], t["money"], t["collective"]) == (5, 2, 13, "1200.50", 1)
    assert t["resolution_rate"] == 0.4
    assert t["on_time_rate"] == 0.6667  # a, c on time; b late
    assert t["satisfied_rate"] == 0.5  # a satisfied, b dissatisfied
    assert (t["open"], t["open_red"], t["open_yellow"]) == (2, 0, 0)  # d submitted, c resolved awaiting confirmation
    by_type = {row["key"]: (row["received"], row["resolved"]) for row in answer["by_service_type"]}
    assert by_type == {
        "mediation": (2, 2),
        "complaint": (2, 0),
        "legal": (1, 0),
        "psychological": (0, 0),
        "assistance": (0, 0),
    }
    assert answer["top_respondents"] == [{"label": "深圳市某某建筑公司", "received": 2}]  # never a private person
    assert sum(day["received"] for day in answer["trend"]) == 5 and len(answer["trend"]) == 30
    assert answer["region"]["code"] == GM and answer["region"]["trail"] == [{"code": GM, "name": "光明区"}]
    assert [p["code"] for p in answer["pins"]] == [five["c"].code, five["d"].code] or {
        p["code"] for p in answer["pins"]
    } <= {five["c"].code, five["d"].code}
    assert five["other"].code not in {row["code"] for row in answer["latest"]}
    assert len(answer["latest"]) == 5
    street = next(ch for ch in answer["children"] if ch["code"] == STREET)
    assert (street["received"], street["open"]) == (5, 2)
    assert tallies.compare(tallies.recount(), tallies.stored()) == []


def test_the_counters_match_a_direct_count(five, cast, client_for):
    answer = client_for(cast.leader).get(URL, {"region": STREET}).json()
    cases = Case.objects.filter(region__path__startswith=answer and five["a"].region.parent.path).exclude(
        status="merged"
    )
    assert answer["totals"]["received"] == cases.count()
    assert answer["totals"]["open"] == cases.filter(status__in=sorted(tallies.OPEN_STATES)).count()
    assert [r["code"] for r in answer["region"]["trail"]] == [GM, STREET]


def test_scope(five, cast, client_for):
    assert client_for(cast.luohu_op).get(URL, {"region": GM}).status_code == 404
    luohu = client_for(cast.luohu_op).get(URL).json()
    assert luohu["region"]["code"] == LH and luohu["totals"]["received"] == 1
    assert client_for(cast.op_community).get(URL, {"region": GM}).status_code == 404
    community = client_for(cast.op_community).get(URL).json()
    assert community["region"]["code"] == HOME_COMMUNITY and community["totals"]["received"] == 5
    for user in (cast.grid, cast.resident, cast.outsider, cast.handler, cast.station, cast.admin):
        assert client_for(user).get(URL).status_code == 403, user
    assert client_for(cast.auditor).get(URL).status_code == 200


@pytest.mark.parametrize(
    ("params", "field", "english", "chinese"),
    [
        ({"from": "2026-12-07", "to": "2026-12-01"}, "to", "before its start", "早于"),
        ({"from": "2010-01-01", "to": "2026-12-01"}, "to", "ten years", "十年"),
        ({"from": "2026-13-01"}, "from", "YYYY-MM-DD", "YYYY-MM-DD"),
        ({"to": "yesterday"}, "to", "YYYY-MM-DD", "YYYY-MM-DD"),
        ({"region": "999999"}, "region", "No region", "没有"),
    ],
)
def test_bad_input_is_refused_with_a_message_in_the_viewers_language(cast, client_for, params, field, english, chinese):
    client = client_for(cast.op_district)
    client.cookies["django_language"] = "en"
    response = client.get(URL, params)
    assert response.status_code == 400
    assert english in response.json()["errors"][field][0]
    client.cookies["django_language"] = "zh-hans"
    assert chinese in client.get(URL, params).json()["errors"][field][0]


def test_an_empty_period_and_a_region_without_outline_answer_zeros(cast, client_for):
    client = client_for(cast.op_district)
    client.cookies["django_language"] = "en"
    answer = client.get(URL, {"region": STREET, "from": "2001-01-01", "to": "2001-01-31"}).json()
    assert answer["totals"]["received"] == 0 and answer["totals"]["resolution_rate"] is None
    assert answer["period"] == {"from": "2001-01-01", "to": "2001-01-31", "days": 31}
    assert all(day["received"] == 0 for day in answer["trend"])
    assert answer["region"]["boundary"] is None or isinstance(answer["region"]["boundary"], dict)
    assert "No case was received in this period." in answer["notes"]
    if answer["region"]["boundary"] is None:
        assert any(answer["region"]["name"] in note for note in answer["notes"])


def test_the_version_changes_with_what_is_shown(make_case, cast, client_for):
    client = client_for(cast.op_district)
    first = client.get(URL).json()["version"]
    assert client.get(URL).json()["version"] == first
    make_case()
    assert client.get(URL).json()["version"] != first


def test_a_fixed_number_of_queries_whatever_the_number_of_cases(make_case, cast, client_for):
    client = client_for(cast.op_district)
    client.get(URL)  # warm: the session, the scope
    make_case(grade="red", people_count=7)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for n in range(12):
        make_case(STREET if n % 2 else HOME_COMMUNITY, grade=("red", "yellow", "green")[n % 3], people_count=n + 1)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 30
