"""The staff shell: time left on a deadline (pure function), and the home page per role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from fengqiao.accounts.tests.conftest import make_user, verify
from fengqiao.cases.models import Grade
from fengqiao.cases.selectors import queue_cases
from fengqiao.core.home import RESIDENT_STATUS, home_sections
from fengqiao.core.templatetags.fq import due_badge, span_text, time_left
from fengqiao.org.models import Membership, Role

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTION = {"to_review", "to_dispatch", "returned", "overdue", "due_soon", "awaiting_confirmation"}


# --- time_left: a pure function ------------------------------------------------------------
@pytest.mark.parametrize(
    ("delta", "text", "state"),
    [
        (timedelta(minutes=35), "due in 35 min", "soon"),
        (timedelta(minutes=35, seconds=59), "due in 35 min", "soon"),
        (timedelta(hours=1, minutes=59), "due in 1 h 59 min", "soon"),
        (timedelta(hours=2), "due in 2 h", "later"),
        (timedelta(days=3, hours=4, minutes=10), "due in 3 d 4 h", "later"),
        (timedelta(days=1), "due in 1 d", "later"),
        (timedelta(seconds=20), "due now", "soon"),
        (timedelta(0), "due now", "soon"),
        (-timedelta(seconds=30), "overdue by 1 min", "overdue"),
        (-timedelta(hours=2), "overdue by 2 h", "overdue"),
        (-timedelta(hours=2, seconds=1), "overdue by 2 h 1 min", "overdue"),
        (-timedelta(days=2, hours=5), "overdue by 2 d 5 h", "overdue"),
    ],
)
def test_time_left(delta, text, state):
    with translation.override("en"):
        left = time_left(NOW + delta, NOW)
    assert (left.text, left.state) == (text, state)
    assert (left.minutes < 0) == (state == "overdue")


def test_no_deadline_no_text():
    assert time_left(None, NOW) is None
    assert due_badge(None, NOW) == ""


def test_time_left_in_chinese():
    with translation.override("zh-hans"):
        assert time_left(NOW - timedelta(hours=2), NOW).text == "已超期2小时"
        assert time_left(NOW + timedelta(minutes=35), NOW).text == "剩余35分钟"
        assert span_text(60 * 24 + 60) == "1天1小时"


def test_due_badge_says_it_in_words_and_colour():
    with translation.override("en"):
        html = due_badge(NOW - timedelta(hours=2), NOW)
    assert 'class="due due-overdue"' in html
    assert "overdue by 2 h" in html
    assert "⚠" in html  # an icon as well as the colour


# --- the home page ---------------------------------------------------------------------------
@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_operator_sees_their_queues_with_links_and_counts(en, cast, make_case):
    make_case(grade=Grade.RED, title="三十名工人欠薪")
    verify(en, cast.op_community)
    page = en.get(reverse("core:home")).content.decode()
    assert 'data-role="operator"' in page
    assert "Centre operator" in page
    assert 'data-queue="to_review"' in page
    assert 'href="/cases/?queue=to_review"' in page
    assert "三十名工人欠薪" in page
    assert "Class 1 (red)" in page and "grade-red" in page


@pytest.mark.django_db
def test_queue_counts_follow_the_selectors(cast, make_case):
    make_case()
    make_case()
    [section] = home_sections(cast.op_community)
    to_review = next(q for q in section.queues if q.slug == "to_review")
    assert to_review.count >= 2
    assert len(to_review.preview) <= 5
    assert section.waiting == len(
        {c.pk for q in section.queues for c in queue_cases(cast.op_community, q.slug) if q.slug in ACTION}
    )
    [handler] = home_sections(cast.handler)
    assert [q.slug for q in handler.queues] == ["to_sign", "in_progress", "overdue", "due_soon", "mine"]


@pytest.mark.django_db
def test_each_role_gets_its_own_section(cast):
    for name, user in cast.items():
        sections = home_sections(user)
        if name in ("resident", "outsider"):
            assert [s.role for s in sections] == ["resident"]
        else:
            roles = {m.role for m in Membership.objects.filter(user=user)}
            assert {s.role for s in sections} == roles, name


@pytest.mark.django_db
def test_administrator_section_links_to_the_admin(en, org):
    admin = make_user("root_home", unit=org.district_centre, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    verify(en, admin)
    page = en.get(reverse("core:home")).content.decode()
    assert 'data-role="administrator"' in page
    assert f'href="{reverse("admin:index")}"' in page
    assert reverse("admin:org_servicepoint_changelist") in page


@pytest.mark.django_db
def test_resident_sees_own_cases_in_plain_words(en, cast, make_case):
    mine = make_case(applicant_user=cast.resident, title="我家门口路灯坏了")
    make_case(title="别人的诉求")
    en.force_login(cast.resident)
    page = en.get(reverse("core:home")).content.decode()
    assert 'data-role="resident"' in page
    assert "My cases" in page
    assert mine.code in page and "我家门口路灯坏了" in page
    assert f'href="/track/{mine.code}/"' in page  # followed on the resident's tracking page
    assert "别人的诉求" not in page
    with translation.override("en"):
        assert str(RESIDENT_STATUS["submitted"]) in page


@pytest.mark.django_db
def test_resident_without_cases_gets_a_friendly_empty_list(en, cast):
    en.force_login(cast.outsider)
    page = en.get(reverse("core:home")).content.decode()
    assert "You have not raised any demand yet." in page


@pytest.mark.django_db
def test_member_without_an_active_role_sees_a_clear_empty_state(en, org):
    user = make_user("paused", unit=org.community_centre, role=Role.OPERATOR)
    Membership.objects.filter(user=user).update(is_active=False)
    en.force_login(user)
    page = en.get(reverse("core:home")).content.decode()
    assert home_sections(user) == []
    assert "No active role" in page
    assert 'data-role="none"' in page
    assert "My cases" not in page  # not mistaken for a resident


@pytest.mark.django_db
def test_home_is_chinese_by_default(client, cast):
    verify(client, cast.handler)
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "部门承办人" in page
    assert "跳转到主要内容" in page


@pytest.mark.django_db
def test_home_query_budget(django_assert_max_num_queries, client, cast, make_case):
    for _ in range(5):
        make_case()
    verify(client, cast.op_district)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("core:home")).status_code == 200
