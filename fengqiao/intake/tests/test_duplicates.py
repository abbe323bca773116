"""Character-bigram similarity and the duplicate hints of the staff entry form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Party
from fengqiao.intake.duplicates import bigrams, cases_for_phone, duplicate_hints, similarity
from fengqiao.org.models import Region

from .conftest import HOME_COMMUNITY, LUOHU_COMMUNITY


def test_bigrams_ignore_spaces_and_punctuation():
    assert bigrams("门口 道路，") == {"门口", "口道", "道路"}
    assert bigrams("路") == {"路"}
    assert bigrams("  ") == set()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("小区门口道路破损", "小区门口道路破损", 1.0),
        ("小区门口道路破损", "小区门口道路破损严重", 7 / 9),
        ("小区门口道路破损", "工厂拖欠工资", 0.0),
        ("", "小区", 0.0),
    ],
)
def test_similarity_is_the_jaccard_index_of_bigrams(a, b, expected):
    assert similarity(a, b) == pytest.approx(expected)


def test_threshold_separates_similar_from_different_titles():
    assert similarity("光明社区路灯不亮", "光明社区路灯坏了不亮") >= 0.5
    assert similarity("光明社区路灯不亮", "光明社区噪音扰民") < 0.5


def _applicant(phone):
    return [cs.PartyInput(role=Party.PartyRole.APPLICANT, name="李强", phone=phone)]


@pytest.mark.django_db
def test_hints_same_phone_and_similar_title_within_thirty_days(cast, make_case):
    same_phone = make_case(title="工资被拖欠三个月", parties=_applicant("13700001111"))
    similar = make_case(title="碧眼新村路灯不亮", parties=_applicant("13800002222"))
    old = make_case(title="碧眼新村路灯不亮", submitted_at=timezone.now() - timedelta(days=31))
    different = make_case(title="工地夜间施工噪音扰民")
    hints = duplicate_hints(cast.op_community, phone="13700001111", region=Region.objects.get(code=HOME_COMMUNITY),
                            title="碧眼新村路灯坏了不亮")
    codes = {h.case.code: h for h in hints}
    assert same_phone.code in codes and similar.code in codes
    assert old.code not in codes and different.code not in codes
    assert codes[similar.code].score >= 0.5


@pytest.mark.django_db
def test_phone_history_only_shows_cases_the_operator_may_see(cast, make_case):
    guangming = make_case(parties=_applicant("13700009999"))
    luohu = make_case(LUOHU_COMMUNITY, parties=_applicant("13700009999"))
    assert [c.code for c in cases_for_phone(cast.op_community, "13700009999")] == [guangming.code]
    assert [c.code for c in cases_for_phone(cast.luohu_op, "13700009999")] == [luohu.code]
    assert cases_for_phone(cast.outsider, "13700009999") == []
    assert duplicate_hints(cast.luohu_op, phone="13700009999", region=None, title="")[0].case == luohu
