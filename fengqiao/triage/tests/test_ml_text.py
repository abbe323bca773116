"""Normalisation of citizen text before any model sees it."""

from __future__ import annotations

import time

import pytest

from fengqiao.triage.ml.text import (
    BODY_MAX_CHARS,
    TITLE_MAX_CHARS,
    InputTooShort,
    normalize,
    prepare_dispatch,
    prepare_message,
)


def test_traditional_chinese_becomes_simplified():
    assert normalize("這個醫院的門診收費太貴了") == "这个医院的门诊收费太贵了"
    assert normalize("公司拖欠員工薪資") == "公司拖欠员工薪资"


def test_full_width_becomes_half_width_and_latin_is_lower_cased():
    assert normalize("ＡＢＣ１２３，（投诉）") == "abc123,(投诉)"


def test_html_is_stripped_and_entities_decoded():
    raw = '<p style="x">拖欠<b>工资</b></p><script>alert("x")</script><!-- c -->&amp;&lt;三个月&gt;'
    assert normalize(raw) == "拖欠 工资 &<三个月>"


def test_control_and_zero_width_characters_are_removed():
    assert normalize("工资\x00\x07拖欠\u200b了\r\n\t三个月\ufeff") == "工资 拖欠 了 三个月"
    assert "\x00" not in normalize("\x00" * 10 + "测试")


def test_whitespace_collapses_and_none_is_empty():
    assert normalize("  a   b \n\n c ") == "a b c"
    assert normalize(None) == ""
    with pytest.raises(TypeError):
        normalize(123)


def test_very_long_text_is_cut_quickly():
    huge = "小区噪音扰民" * 500_000  # 3 million characters
    started = time.perf_counter()
    out = normalize(huge)
    assert len(out) == BODY_MAX_CHARS
    assert time.perf_counter() - started < 1.0
    title, body = prepare_message("标" * 10_000, huge)
    assert len(title) == TITLE_MAX_CHARS and len(body) == BODY_MAX_CHARS


@pytest.mark.parametrize("title,body", [("", ""), (None, None), ("  ", "\n\t"), ("字", ""), ("", "<b>a</b>"),
                                        ("。", "！？"), ("\x00", "\u200b")])
def test_empty_or_one_character_text_is_refused_with_a_value_error(title, body):
    with pytest.raises(InputTooShort) as info:
        prepare_message(title, body)
    assert isinstance(info.value, ValueError)
    assert "meaningful" in str(info.value)


def test_two_characters_are_enough():
    assert prepare_message("欠薪", "") == ("欠薪", "")
    with pytest.raises(ValueError):
        prepare_dispatch("平湖街道", "？")
    assert prepare_dispatch(" 平湖街道 ", "噪音") == ("平湖街道", "噪音")
