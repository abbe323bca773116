"""Possible duplicates and related cases: same text (window and street), same phone, same respondent, same place;
only cases the reader may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases import services as cs
from fengqiao.cases.models import Party
from fengqiao.triage.duplicates import related_cases

pytestmark = pytest.mark.django_db

SAME_STREET_OTHER_COMMUNITY = "440311001002"
OTHER_STREET = "440311006001"
TEXT = "光明大街12号门口道路塌陷，形成大坑，车辆无法通行，请尽快修复。"


def applicant(phone="13900000001", name="王小梅"):
    return cs.PartyInput(role=Party.PartyRole.APPLICANT, name=name, phone=phone)


def respondent(name):
    return cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=name, kind=Party.Kind.ORGANISATION)


def found(case, user=None) -> dict[str, list[str]]:
    return {r.case.code: r.kinds for r in related_cases(case, user)}


def test_same_text_in_the_same_street_within_the_window(make_case):
    now = timezone.now()
    earlier = make_case(title="门口道路塌陷", description=TEXT, submitted_at=now - timedelta(days=3))
    nearby = make_case(SAME_STREET_OTHER_COMMUNITY, title="道路塌陷", description="光明大街12号门口道路塌陷，形成大坑，"
                       "车辆无法通行，希望修复。", submitted_at=now - timedelta(days=1))
    too_old = make_case(title="门口道路塌陷", description=TEXT, submitted_at=now - timedelta(days=40))
    other_street = make_case(OTHER_STREET, title="门口道路塌陷", description=TEXT, submitted_at=now)
    unrelated = make_case(title="噪音扰民", description="楼下商铺每晚播放音乐到深夜，影响休息。", submitted_at=now)
    case = make_case(title="门口道路塌陷", description=TEXT, submitted_at=now)
    result = found(case)
    assert result[earlier.code] == ["text"] and result[nearby.code] == ["text"]
    assert too_old.code not in result and other_street.code not in result and unrelated.code not in result
    # the newer case sees the older one and the older one the newer one
    assert case.code in found(earlier)


def test_same_phone_anywhere_in_the_window(make_case):
    a = make_case(OTHER_STREET, description="学校门口交通拥堵，接送孩子不便。", parties=[applicant("13911112222")])
    b = make_case(description="小区垃圾清运不及时，气味难闻。", parties=[applicant("13911112222")])
    c = make_case(description="小区垃圾清运不及时。", parties=[applicant("13933334444")])
    assert found(b)[a.code] == ["phone"]
    assert a.code not in found(c)


def test_same_respondent(make_case):
    a = make_case(OTHER_STREET, description="宏达电子厂拖欠工资两个月。", parties=[respondent("深圳市宏达电子有限公司")])
    b = make_case(description="公司拖欠加班费，多次讨要无果。", parties=[respondent("深圳市宏达电子有限公司")])
    result = related_cases(b)
    assert [r.case.code for r in result] == [a.code]
    assert result[0].kinds == ["respondent"] and result[0].reasons == [_("same respondent: %(name)s") % {"name": "深圳市宏达电子有限公司"}]


def test_same_place_by_coordinates_or_address(make_case):
    a = make_case(OTHER_STREET, description="路边井盖缺失，行人易跌落。", latitude=22.7797, longitude=113.9350)
    b = make_case(description="夜间施工噪音扰民。", latitude=22.7800, longitude=113.9352)  # about 40 m away
    far = make_case(description="夜间施工噪音扰民。", latitude=22.7900, longitude=113.9352)  # about 1 km away
    assert found(b)[a.code] == ["place"]
    assert a.code not in found(far)
    x = make_case(OTHER_STREET, description="电梯经常停运。", address="光明街道碧眼新村3栋")
    y = make_case(description="楼道灯坏了。", address="光明街道碧眼新村3栋")
    assert found(y)[x.code] == ["place"]


def test_several_shared_facts_rank_first(make_case):
    now = timezone.now()
    text_only = make_case(title="门口道路塌陷", description=TEXT, submitted_at=now - timedelta(hours=2))
    both = make_case(title="门口道路塌陷", description=TEXT, parties=[applicant("13955556666")],
                     submitted_at=now - timedelta(hours=5))
    case = make_case(title="门口道路塌陷", description=TEXT, parties=[applicant("13955556666")], submitted_at=now)
    result = related_cases(case)
    assert [r.case.code for r in result[:2]] == [both.code, text_only.code]
    assert result[0].likely_duplicate and set(result[0].kinds) == {"text", "phone"}


def test_merged_cases_are_left_out(make_case, cast):
    main = make_case(title="门口道路塌陷", description=TEXT)
    dup = make_case(title="门口道路塌陷", description=TEXT)
    cs.case_merge(case=dup, actor=cast.op_community, into=main)
    case = make_case(title="门口道路塌陷", description=TEXT)
    assert list(found(case)) == [main.code]


def test_only_cases_the_reader_may_see(make_case, cast):
    hidden = make_case(SAME_STREET_OTHER_COMMUNITY, title="门口道路塌陷", description=TEXT)
    case = make_case(title="门口道路塌陷", description=TEXT)
    assert hidden.code in found(case, cast.op_street)
    assert hidden.code not in found(case, cast.op_community)  # another community's case
    assert found(case, cast.outsider) == {}
