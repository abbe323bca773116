"""Personal data written inside free text (core.masking.mask_text): every spelling masked, ordinary text kept."""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.core.masking import (
    BANK_CARD,
    ID_NUMBER,
    LANDLINE,
    MOBILE,
    PLATE,
    PersonalDataLogFilter,
    find_personal_data,
    mask_text,
    normalise,
)

EXAMPLES = [
    # (written, kind, shown)
    ("13800138000", MOBILE, "138****8000"),
    ("１３８００１３８０００", MOBILE, "138****8000"),
    ("138.0013.8000", MOBILE, "138****8000"),
    ("138-0013-8000", MOBILE, "138****8000"),
    ("138 0013 8000", MOBILE, "138****8000"),
    ("1 3 8 0 0 1 3 8 0 0 0", MOBILE, "138****8000"),
    ("138\u00a00013\u00a08000", MOBILE, "138****8000"),
    ("１３８　００１３　８０００", MOBILE, "138****8000"),
    ("１３８－００１３－８０００", MOBILE, "138****8000"),
    ("138·0013·8000", MOBILE, "138****8000"),
    ("+86 138 0013 8000", MOBILE, "138****8000"),
    ("+8613800138000", MOBILE, "138****8000"),
    ("008613800138000", MOBILE, "138****8000"),
    ("(+86)138-0013-8000", MOBILE, "138****8000"),
    ("＋８６ １３８００１３８０００", MOBILE, "138****8000"),
    ("0755-88881234", LANDLINE, "0755-****1234"),
    ("(0755)8888 1234", LANDLINE, "0755-****1234"),
    ("（０７５５）８８８８１２３４", LANDLINE, "0755-****1234"),
    ("010 6552 1234", LANDLINE, "010-****1234"),
    ("+86 755 8888 1234", LANDLINE, "0755-****1234"),
    ("0086-755-8888-1234", LANDLINE, "0755-****1234"),
    ("440311199001011234", ID_NUMBER, "4403**********1234"),
    ("440311 19900101 1234", ID_NUMBER, "4403**********1234"),
    ("440311.19900101.123X", ID_NUMBER, "4403**********123X"),
    ("44031119900101123x", ID_NUMBER, "4403**********123X"),
    ("４４０３１１１９９００１０１１２３Ｘ", ID_NUMBER, "4403**********123X"),
    ("440-311-1990-0101-1234", ID_NUMBER, "4403**********1234"),
    ("440311900101123", ID_NUMBER, "4403*******1123"),
    ("6222021234567890123", BANK_CARD, "6222***********0123"),
    ("6222 0212 3456 7890 123", BANK_CARD, "6222***********0123"),
    ("4111-1111-1111-1111", BANK_CARD, "4111********1111"),
    ("粤B12345", PLATE, "粤B***45"),
    ("粤B·12345", PLATE, "粤B***45"),
    ("粤B 12345", PLATE, "粤B***45"),
    ("粤BD12345", PLATE, "粤B****45"),
    ("粤b１２３４５", PLATE, "粤B***45"),
    ("京A·F1234", PLATE, "京A***34"),
]


@pytest.mark.parametrize(("written", "kind", "shown"), EXAMPLES)
def test_every_spelling_is_found_and_masked_recognisably(written, kind, shown):
    text = f"请联系我{written}，谢谢"
    found = find_personal_data(text)
    assert [f.kind for f in found] == [kind]
    assert text[found[0].start:found[0].end] in (written, written.replace("(+86)", "+86)"))
    assert mask_text(text) == f"请联系我{shown}，谢谢"


@pytest.mark.parametrize("text", [
    "2026-12-07 14:30 在光明街道",
    "2026.12.07 上午9:30，我交了5000元押金",
    "欠薪 128000 元，共 35 人",
    "案件 GM-2026-000123 和 LH-2026-001234 已合并",
    "GM-2026-000123 2026-12-07 13:45:00",
    "房号 1201、1202、1203",
    "订单号 2026120712345（11位以内的不是手机号）",
    "金额 ¥12,345.67，面积 89.5 平方米",
    "第3栋2单元1201室，12月7日下午3点",
    "新iPhone 15 Pro 和 粤语",
    "1999-03-07 13:45",
    "电话打不通 400-800-8888?",
])
def test_ordinary_text_with_numbers_is_left_as_it_is(text):
    assert find_personal_data(text) == []
    assert mask_text(text) == text


def test_several_numbers_in_one_text_and_the_rest_untouched():
    text = "张三 13800138000，身份证 440311199001011234；李四 (0755)8888-1234 车牌粤B·12345，2026-12-07"
    assert mask_text(text) == (
        "张三 138****8000，身份证 4403**********1234；李四 0755-****1234 车牌粤B***45，2026-12-07")


def test_the_public_form_hides_the_last_four_digits_of_phones():
    """With a case code, the last four digits of the phone are what tracks a case: anonymous readers never get them."""
    assert mask_text("电话13800138000 座机0755-88881234", public=True) == "电话138******** 座机0755-********"


def test_a_text_cut_after_the_start_of_a_number_hides_it():
    assert mask_text("请回电1380013…") == "请回电138****…"
    assert mask_text("欠薪120000…") == "欠薪120000…"  # six digits: an amount, not the start of a number


def test_numbers_on_two_lines_are_two_numbers():
    assert mask_text("13000\n100000元") == "13000\n100000元"
    assert mask_text("13000 100000") == "130****0000"  # one phone number cut in two: privacy first


def test_numbers_one_after_another_are_each_masked():
    text = "电话13800138000，１３８００１３８０００、138.0013.8000；2,492,010.20元"
    assert mask_text(text) == "电话138****8000，138****8000、138****8000；2,492,010.20元"


def test_normalise_keeps_positions():
    text = "电话：１３８　００１３－８０００，"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "电话:138-0013-8000,"


# --- property-based: the spellings people use -------------------------------------------------------------------

SEPARATORS = [" ", ".", "-", "·", "\u00a0", "\u3000", "．", "－", "  ", " - ", "\u2009", "—", "・", "_"]
CONTEXT = st.text(alphabet="我的电话是请联系身份证号码卡车牌谢，。！：abcXYZ\n", max_size=12)


def _luhn_complete(body: str) -> str:
    for last in "0123456789":
        digits = body + last
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return digits
    raise AssertionError


def _digits(n):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


mobiles = st.builds(lambda second, rest: "1" + second + rest, st.sampled_from("3456789"), _digits(9))
landlines = st.builds(
    lambda area, first, rest: area + first + rest,
    st.sampled_from(["010", "020", "021", "0755", "0571", "0898", "0351"]),
    st.sampled_from("23456789"), st.one_of(_digits(6), _digits(7)),
)
birthdays = st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))
id18 = st.builds(
    lambda first, region, born, seq, check: first + region + born.strftime("%Y%m%d") + seq + check,
    st.sampled_from("12345678"), _digits(5), birthdays, _digits(3), st.sampled_from("0123456789Xx"),
)
id15 = st.builds(
    lambda first, region, born, seq: first + region + born.strftime("%y%m%d") + seq,
    st.sampled_from("12345678"), _digits(5), st.dates(min_value=date(1920, 1, 1), max_value=date(1999, 12, 31)),
    _digits(3),
)
cards = st.builds(lambda body: _luhn_complete("62" + body), st.integers(13, 16).flatmap(_digits))


def _full_width(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if (ch.isascii() and ch.isalnum()) or ch == "+" else ch


@st.composite
def spelled(draw, numbers, prefixes=("",)):
    """A number as someone types it: cut into groups at random, random separators, some characters full-width.
    (The old 15-digit identity number is cut only by threes: taken from any groups, 15 digits are too often
    something else.)"""
    number = draw(numbers)
    positions = st.sampled_from([3, 6, 9, 12]) if len(number) == 15 else st.integers(1, len(number) - 1)
    cuts = sorted(draw(st.sets(positions, max_size=5)))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + group
    text = draw(st.sampled_from(prefixes)) + text
    wide = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(_full_width(c) if w else c for c, w in zip(text, wide, strict=True))
    return number, text


def _assert_masked(number: str, before: str, written: str, after: str):
    text = before + written + after
    shown = normalise(mask_text(text)).replace("-", "")
    original = number.upper()
    for i in range(len(original) - 6):
        assert original[i:i + 7] not in shown.upper(), (text, mask_text(text))
    assert mask_text(text).startswith(before) and mask_text(text).endswith(after)


# FQ_MASKING_EXAMPLES=3000 for a longer hunt; the suite keeps it short.
PROPERTY = settings(max_examples=int(os.environ.get("FQ_MASKING_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(spelled(mobiles, prefixes=("", "+86", "+86 ", "0086", "86", "+８６-", "(+86)", "＋86　")), CONTEXT, CONTEXT)
def test_property_mobiles_never_survive(case, before, after):
    _assert_masked(case[0], before, case[1], after)


@PROPERTY
@given(st.lists(spelled(st.one_of(mobiles, landlines, id18, cards)), min_size=2, max_size=4),
       st.lists(st.sampled_from(["，", "、", "；", " 或 ", "/", ",", "\n", "和"]), min_size=4, max_size=4))
def test_property_several_numbers_in_a_row_all_go(cases, joins):
    text = "".join(written + join for (_number, written), join in zip(cases, joins, strict=False))
    shown = normalise(mask_text(text)).replace("-", "")
    for number, _written in cases:
        for i in range(len(number) - 6):
            assert number.upper()[i:i + 7] not in shown.upper(), (text, mask_text(text))


@PROPERTY
@given(spelled(landlines, prefixes=("", "(", "电话")), CONTEXT, CONTEXT)
def test_property_landlines_never_survive(case, before, after):
    _assert_masked(case[0], before, case[1], after)


@PROPERTY
@given(spelled(st.one_of(id18, id15)), CONTEXT, CONTEXT)
def test_property_identity_numbers_never_survive(case, before, after):
    _assert_masked(case[0], before, case[1], after)


@PROPERTY
@given(spelled(cards), CONTEXT, CONTEXT)
def test_property_bank_cards_never_survive(case, before, after):
    _assert_masked(case[0], before, case[1], after)


@PROPERTY
@given(
    st.sampled_from("京沪粤川浙苏新云"), st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"),
    st.sampled_from(["", "·", " ", "-", "・"]), st.one_of(_digits(5), st.builds(lambda d: "D" + d, _digits(5))),
    st.booleans(), CONTEXT.filter(lambda t: not re.search(r"[A-Za-z0-9]$", t)),
    CONTEXT.filter(lambda t: not re.match(r"[A-Za-z0-9]", t)),
)
def test_property_plates_never_survive(province, letter, sep, rest, wide, before, after):
    plate = province + letter + sep + rest
    written = "".join(_full_width(c) for c in plate) if wide else plate
    masked = mask_text(before + written + after)
    assert rest[-5:-2] not in normalise(masked).replace("-", "")[len(before):len(masked) - len(after)], masked
    assert masked == before + province + letter + "*" * (len(rest) - 2) + rest[-2:] + after


WORDS = st.sampled_from(["我家楼下", "噪音扰民", "欠薪", "物业", "光明街道", "共", "人", "元", "押金", "第", "栋",
                         "Pro", "iPhone", "已处理", "下午", "点", "号"])
DATES = st.builds(lambda d, fmt: d.strftime(fmt), st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)),
                  st.sampled_from(["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y年%m月%d日", "%m-%d", "%Y-%m-%d %H:%M"]))
TIMES = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
AMOUNTS = st.builds(lambda n, unit: f"{n}{unit}", st.integers(0, 9_999_999), st.sampled_from(["元", "万元", "块", "人", "㎡"]))
MONEY = st.builds(lambda n, c: f"¥{n:,}.{c:02d}", st.integers(0, 9_999_999), st.integers(0, 99))
CODES = st.builds(lambda p, y, n: f"{p}-{y}-{n:06d}", st.sampled_from(["GM", "LH", "FQ"]), st.integers(2020, 2030),
                  st.integers(1, 999_999))
SHORT = st.integers(0, 999_999).map(str)


@PROPERTY
@given(st.lists(st.one_of(WORDS, DATES, TIMES, AMOUNTS, MONEY, CODES, SHORT), min_size=1, max_size=8),
       st.lists(st.sampled_from(["，", "。", "、", "；", " ", "\n", "：", "和"]), min_size=8, max_size=8))
def test_property_ordinary_text_survives_unchanged(pieces, joins):
    # Two numbers with only a space between them ("13000 100000") may be one phone number cut in two: they are
    # masked when together they have a phone's shape (privacy first), so ordinary text keeps a word between them.
    joins = [("，" if j == " " and p[-1:].isdigit() and n[:1].isdigit() else j)
             for p, j, n in zip(pieces, joins, [*pieces[1:], ""], strict=False)]
    text = "".join(p + j for p, j in zip(pieces, joins, strict=False))
    assert mask_text(text) == text


# --- logs ----------------------------------------------------------------------------------------------------


def test_the_log_filter_masks_message_args_and_tracebacks():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "caller %s asked about %s", ("１３８００１３８０００",
                               "440311 19900101 1234"), None)
    assert PersonalDataLogFilter().filter(record) is True
    assert record.getMessage() == "caller 138****8000 asked about 4403**********1234"
    try:
        raise ValueError("bad phone 13800138000")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    PersonalDataLogFilter().filter(record)
    assert "13800138000" not in record.exc_text and "138****8000" in record.exc_text


def test_the_log_filter_leaves_records_without_personal_data_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "case %s moved to %s", ("GM-2026-000123", "accepted"),
                               None)
    PersonalDataLogFilter().filter(record)
    assert record.args == ("GM-2026-000123", "accepted") and record.msg == "case %s moved to %s"
