"""Grading rules are data an administrator edits; a rule that cannot work is refused on the form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.tests.conftest import verify
from fengqiao.triage.models import GradingRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast) -> Client:
    admin = cast.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    verify(client, admin)
    return client


def form(**overrides) -> dict:
    data = {"code": "pesticide", "name": "农药", "kind": "text", "keywords": "喝农药\n农药", "threshold": "",
            "window_days": "", "grade": "red", "reason": "文本出现危险信号：“{keyword}”", "priority": 15,
            "is_active": "on"}
    data.update(overrides)
    return data


def test_the_shipped_rules_are_in_the_table():
    assert GradingRule.objects.filter(is_active=True).count() >= 17
    assert GradingRule.objects.get(code="self_harm").grade == "red"


def test_an_administrator_adds_a_signal_and_a_broken_one_is_refused(admin_client):
    url = reverse("admin:triage_gradingrule_add")
    assert admin_client.get(url).status_code == 200
    refused = admin_client.post(url, form(keywords="", reason="{peple}"))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "errorlist" in body and "{peple}" in body
    assert not GradingRule.objects.filter(code="pesticide").exists()
    ok = admin_client.post(url, form())
    assert ok.status_code == 302
    assert GradingRule.objects.get(code="pesticide").keywords == ["喝农药", "农药"]


def test_rules_changed_in_the_table_grade_the_next_case(make_case):
    GradingRule.objects.filter(code="collective").update(threshold=3)
    assert make_case(people_count=3).grade == "yellow"
    GradingRule.objects.filter(code="collective").update(is_active=False)
    assert make_case(people_count=3).grade == "green"


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", "欠薪涉及{people}人（{threshold}人以上）"),
                                                  ("en", "Wage arrears involving {people} people ({threshold} or more)")])
def test_a_shipped_reason_reads_in_the_administrators_language_and_a_written_one_as_written(admin_client, language,
                                                                                         shown):
    GradingRule.objects.create(code="mine", name="我的规则", kind="text", keywords=["工地"], grade="yellow",
                               reason="工地诉求：“{keyword}”")
    admin_client.cookies["django_language"] = language
    html = admin_client.get(reverse("admin:triage_gradingrule_changelist")).content.decode()
    assert shown in html and "工地诉求：“{keyword}”" in html
    rule = GradingRule.objects.get(code="wage_many")
    page = admin_client.get(reverse("admin:triage_gradingrule_change", args=[rule.pk])).content.decode()
    assert shown in page  # beside the stored message id the form shows how it reads
