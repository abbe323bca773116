"""The text fingerprint and the respondent key: pure functions, real Chinese examples."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fengqiao.warnings.fingerprint import band_keys, distance, normalise_text, respondent_key, text_fingerprint
from fengqiao.warnings.thresholds import DEFAULT_THRESHOLDS

NEAR = DEFAULT_THRESHOLDS.cluster_max_distance

FIREWORKS = (
    "春节期间小区楼下每天凌晨还有人燃放烟花爆竹，噪音很大，老人小孩都睡不着，烟花残渣满地，"
    "而且离加油站很近，存在安全隐患，请相关部门尽快处理。"
)
FIREWORKS_COPY = (
    "我是3栋住户，春节期间小区楼下每天凌晨还有人燃放烟花爆竹，噪音很大，老人孩子都睡不着，烟花残渣满地，"
    "而且离加油站很近，存在安全隐患，请相关部门尽快处理！谢谢！"
)
WAGES = (
    "我们是光明区某建筑工地的农民工，老板已经拖欠我们三个月工资，共计三百多人，多次讨要无果，"
    "项目经理电话也打不通了，恳请劳动监察部门帮我们讨回血汗钱。"
)
WAGES_COPY = (
    "我们是光明区某建筑工地的农民工，老板已经拖欠我们3个月工资，共计300多人，多次讨要无果，"
    "项目经理电话也打不通了，恳请劳动监察部门帮我们讨回血汗钱。家里还等着钱过年。"
)
PARKING = "投诉小区物业违规收取停车费，未经业主大会同意擅自涨价，由每月300元涨到350元，请主管部门查处。"
SCHOOL = "孩子今年九月上小学，户籍在本区但租房居住，想咨询积分入学需要准备哪些材料，什么时候开始申请？"


def test_the_same_text_gives_the_same_value_whatever_the_punctuation_spaces_and_numbers():
    assert text_fingerprint(FIREWORKS) == text_fingerprint(FIREWORKS)
    assert text_fingerprint("3栋501室楼上漏水，物业不管。") == text_fingerprint("5 栋 1202 室 楼上漏水!物业不管")
    assert normalise_text("Ａ栋１２号，漏水！") == "#栋#号漏水"  # runs of Latin letters and digits are one symbol


def test_near_identical_complaints_are_near_and_different_ones_are_not():
    assert distance(text_fingerprint(FIREWORKS), text_fingerprint(FIREWORKS_COPY)) <= NEAR
    assert distance(text_fingerprint(WAGES), text_fingerprint(WAGES_COPY)) <= NEAR
    different = (FIREWORKS, WAGES, PARKING, SCHOOL)
    for i, a in enumerate(different):
        for b in different[i + 1 :]:
            assert distance(text_fingerprint(a), text_fingerprint(b)) > NEAR, (a[:10], b[:10])


def test_near_identical_texts_share_a_bucket_band():
    a, b = text_fingerprint(FIREWORKS), text_fingerprint(FIREWORKS_COPY)
    assert set(band_keys(a)) & set(band_keys(b))
    assert len(band_keys(a)) == 5  # five bands of three slots


def test_no_text_is_zero_and_any_text_is_not():
    assert text_fingerprint("") == 0
    assert text_fingerprint("，。！  ") == 0
    assert text_fingerprint("吵") != 0


@given(st.text(max_size=400))
def test_any_text_gives_a_signed_64_bit_value(text):
    value = text_fingerprint(text)
    assert -(1 << 63) <= value < (1 << 63)
    assert distance(value, value) == 0


@given(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(-(1 << 63), (1 << 63) - 1))
def test_distance_counts_differing_slots_symmetrically(a, b):
    d = distance(a, b)
    assert 0 <= d <= 16
    assert d == distance(b, a)
    assert (d == 0) == (a == b)


def test_respondent_keys_meet_however_the_firm_is_written():
    key = respondent_key("深圳市光明某某建筑工程有限公司")
    assert key == "光明某某建筑工程"
    assert respondent_key("光明某某建筑工程公司") == key
    assert respondent_key(" 深圳市光明某某建筑工程有限公司（光明分公司） ") == key
    assert respondent_key("广东省深圳市光明某某建筑工程股份有限公司") == key
    assert respondent_key("光明某某物业") != key
    assert respondent_key("") == ""
    assert respondent_key("有限公司")  # never emptied by its own suffix
