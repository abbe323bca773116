"""The rules of the legal routes, without a database: clocks, the competent court, excluded matters, moves."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import translation

from fengqiao.legal import rules
from fengqiao.legal.models import ConfirmationApplication, LinkageKind, MatterType
from fengqiao.org.models import UnitKind
from fengqiao.sla.deadlines import LOCAL

S = ConfirmationApplication.Status
GM_COURT = rules.Court(1, "光明区法院")
LH_COURT = rules.Court(2, "罗湖区法院")
COURTS = {"440311": GM_COURT, "440303": LH_COURT}


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=LOCAL)


def test_clocks_are_statutory_by_default_and_only_tighten():
    assert rules.clocks({}) == rules.STATUTORY
    tighter = rules.clocks({"accept_days": 2, "decide_days": 40, "apply_days": 0})
    assert tighter.accept_days == 2
    assert tighter.decide_days == 15  # a looser figure is ignored: the law's limit stays
    assert tighter.apply_days == 30


def test_periods_run_in_calendar_days_and_end_on_a_working_day():
    # Filed Wednesday 2026-12-02: 3 days → Saturday 5th, moves to Monday 7th.
    assert rules.accept_due(at(2026, 12, 2)).date().isoformat() == "2026-12-07"
    # Agreement in effect 2026-09-01: 30 days → 1 October (National Day holiday) → the first working day after.
    due = rules.apply_due(at(2026, 9, 1))
    assert due.date() > datetime(2026, 10, 1).date() and due.date().isoformat() >= "2026-10-08"
    assert rules.decide_due(at(2026, 12, 7)).date().isoformat() == "2026-12-22"
    assert rules.extended_due(at(2026, 9, 22)).date().isoformat() == "2026-10-08"  # 2 Oct (National Day holiday) → 8 Oct


def test_clock_states():
    now = at(2026, 12, 4)
    assert rules.clock("x", at(2026, 12, 10), now).state == "later"
    assert rules.clock("x", at(2026, 12, 4, 20), now).state == "soon"
    assert rules.clock("x", at(2026, 12, 3), now).state == "overdue"
    assert rules.clock("x", at(2026, 12, 3), now, done=True).state == "done"


def test_the_inviting_court_wins():
    s = rules.suggest_court(inviting_court=LH_COURT, courts_by_district=COURTS, body=("光明街道人民调解委员会", "440311"),
                            subject=("光明社区", "440311"), parties=["440311"])
    assert s.court == LH_COURT
    assert "invited" in s.reasons[0]["msg"]


def test_the_basic_court_with_most_grounds_and_its_reasons():
    s = rules.suggest_court(inviting_court=None, courts_by_district=COURTS, body=("光明街道人民调解委员会", "440311"),
                            subject=("翠竹社区", "440303"), parties=["440303", None])
    assert s.court == LH_COURT  # the subject matter and a party, against the mediation body alone
    assert s.others == [GM_COURT]
    messages = [r["msg"] for r in s.reasons]
    assert any("subject matter" in m for m in messages) and any("party lives" in m for m in messages)
    assert s.reasons[0]["args"]["court"] == "罗湖区法院"


def test_no_court_known():
    s = rules.suggest_court(inviting_court=None, courts_by_district=COURTS, body=("x", None), subject=("y", "999999"))
    assert s.court is None and "choose the court" in s.reasons[0]["msg"]


def test_district_from_an_address():
    assert rules.districts_named("深圳市光明区光明街道碧眼新村", {"光明区": "440311", "罗湖区": "440303"}) == "440311"
    assert rules.districts_named("", {"光明区": "440311"}) is None


@pytest.mark.parametrize(("text", "matter"), [
    ("双方自愿离婚，子女由女方抚养", MatterType.MARRIAGE),
    ("请求解除收养关系", MatterType.ADOPTION),
    ("确认亲子关系", MatterType.IDENTITY),
    ("离婚后共同财产的分割：房屋归女方", MatterType.CIVIL),
    ("赔偿维修费用3500元", MatterType.CIVIL),
])
def test_matters_detected_from_the_words(text, matter):
    assert rules.detect_matter(text)[0] == matter


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_user_overrides_only_towards_refusal():
    assert rules.effective_matter(MatterType.MARRIAGE, MatterType.CIVIL) == MatterType.MARRIAGE
    assert rules.effective_matter(MatterType.CIVIL, MatterType.ADOPTION) == MatterType.ADOPTION
    assert rules.effective_matter(MatterType.CIVIL, None) == MatterType.CIVIL
    message = rules.matter_error(MatterType.MARRIAGE, "自愿离婚")
    assert "art. 4" in message and "自愿离婚" in message
    assert rules.matter_error(MatterType.CIVIL) is None


def test_moves_of_an_application():
    assert rules.application_move_error("accept", S.FILED) is None
    assert "not accepted this application yet" in rules.application_move_error("confirm", S.FILED)
    assert rules.application_move_error("confirm", S.ACCEPTED) is None
    assert rules.application_move_error("accept", S.CONFIRMED)
    assert rules.application_move_error("refuse", S.REFUSED)


def test_linkages_join_the_body_of_their_kind_and_the_mediators():
    err = rules.linkage_units_error
    assert err(LinkageKind.COURT, UnitKind.COURT, UnitKind.MEDIATION_COMMITTEE) is None
    assert err(LinkageKind.POLICE, UnitKind.MEDIATION_COMMITTEE, UnitKind.POLICE) is None
    assert err(LinkageKind.NOTARY, UnitKind.STREET_CENTRE, UnitKind.JUSTICE) is None
    assert err(LinkageKind.POLICE, UnitKind.MEDIATION_COMMITTEE, UnitKind.COURT, to_name="光明区法院")
    assert err(LinkageKind.ARBITRATION, UnitKind.COURT, UnitKind.ARBITRATION)
    assert err("nonsense", UnitKind.COURT, UnitKind.MEDIATION_COMMITTEE)


def test_linkage_clocks_tighten_per_kind():
    sent = at(2026, 11, 2)
    accept_by, due = rules.linkage_clocks(LinkageKind.COURT, sent, configured={})
    assert accept_by.date().isoformat() == "2026-11-05" and due.date().isoformat() == "2026-12-02"
    _a, shorter = rules.linkage_clocks(LinkageKind.COURT, sent, configured={"court": 10})
    assert shorter.date().isoformat() == "2026-11-12"
    _a, same = rules.linkage_clocks(LinkageKind.COURT, sent, configured={"court": 90})
    assert same == due
