"""Titles cut with "…" on a character boundary, one rule for every channel; where a case without a position is drawn."""

from __future__ import annotations

import pytest

from fengqiao.cases.geo import case_position
from fengqiao.cases.models import Case, Channel
from fengqiao.cases.titles import ELLIPSIS, TITLE_LENGTH, shorten, title_from_description, whole_title
from fengqiao.org.models import QrPlace, Region


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("小区门口道路破损", 40, "小区门口道路破损"),
    ("一二三四五六七八九十", 10, "一二三四五六七八九十"),
    ("一二三四五六七八九十壹", 10, "一二三四五六七八九…"),
    ("工厂拖欠工资，请帮忙", 8, "工厂拖欠工资…"),  # no comma before the ellipsis
    ("two\nlines   of text", 40, "two lines of text"),
    ("cafe\u0301 cafe\u0301", 5, "caf…"),  # é written as e + accent is not split from its accent
    ("ab👨\u200d👩\u200d👧cd", 4, "ab…"),  # nor a family emoji from its joined members
])
def test_shorten_cuts_on_a_character_boundary_with_an_ellipsis(text, limit, expected):
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_a_title_made_from_the_description_says_it_was_cut_and_leads_back_to_it():
    description = "我在光明社区一家电子厂工作，工厂已经拖欠我和二十多名同事三个月的工资，老板一直说下个月发，请帮忙协调。"
    title = title_from_description(description)
    assert title.endswith(ELLIPSIS) and len(title) == TITLE_LENGTH
    assert description.startswith(title[:-1])
    assert whole_title(title, description) == description
    assert whole_title("工厂拖欠工资", description) == "工厂拖欠工资"  # a title of its own stays itself


@pytest.mark.django_db
def test_every_channel_gets_the_same_title_from_the_description(make_case):
    description = "小区门口的道路破损已经半年，下雨天积水严重，老人孩子出行很不方便，多次向物业反映都没有人来修。"
    for channel in (Channel.WEB, Channel.HOTLINE, Channel.OPEN311, Channel.IMPORT):
        case = make_case(channel=channel, title="", description=description)
        assert case.title == title_from_description(description)


@pytest.mark.django_db
def test_a_case_without_a_position_is_placed_by_the_smallest_place_with_a_point(make_case):
    community = Region.objects.get(code="440311006001")  # 薯田埔社区
    case = make_case("440311006001")
    assert case_position(case) is None  # nothing places this community: only the district outline
    QrPlace.objects.create(name="薯田埔社区1栋", region=community, latitude=22.70, longitude=113.90)
    QrPlace.objects.create(name="薯田埔社区2栋", region=community, latitude=22.72, longitude=113.92)
    position = case_position(case)
    assert (position.approximate, position.place, position.radius_m) == (True, community, 800)
    assert (round(position.latitude, 6), round(position.longitude, 6)) == (22.71, 113.91)
    community.latitude, community.longitude = 22.705, 113.915  # an administrator's point wins
    community.save()
    fresh = case_position(Case.objects.get(pk=case.pk))
    assert (fresh.latitude, fresh.longitude) == (22.705, 113.915)
    pinned = make_case("440311006001", latitude=22.7, longitude=113.9)
    assert case_position(pinned).approximate is False
