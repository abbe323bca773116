"""The auditor's page: anchors with their seals checked, one case's chain verified on demand; nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.audit.anchors import anchor_write
from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent
from fengqiao.cases.workflow import Action

from .test_chain import tamper

pytestmark = pytest.mark.django_db

URL = reverse("audit:chain")


def in_english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def case(make_case, cast):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_reveal_personal_data(case=case, actor=cast.op_community, reason="回访核实")
    cs.case_note(case=case, actor=cast.op_community, text="已电话联系")
    return case


def test_the_auditor_sees_the_anchors_and_a_case_that_verifies(client_for, cast, case):
    anchor = anchor_write()
    page = in_english(client_for(cast.auditor)).get(URL, {"code": case.code})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-day="{anchor.day:%Y-%m-%d}"' in html and anchor.seal[:16] in html
    assert 'data-result="verified"' in html and "4 lines" in html
    assert "anchors-broken" not in html


def test_the_auditor_is_shown_the_first_broken_link_in_chinese(client_for, cast, case):
    reveal = CaseEvent.objects.get(case=case, action=Action.PII_REVEAL)
    tamper("DELETE FROM cases_caseevent WHERE id = %s", [reveal.pk])
    page = client_for(cast.auditor).get(URL, {"code": case.code})  # Chinese by default
    html = page.content.decode()
    assert 'data-result="broken"' in html
    after = CaseEvent.objects.get(case=case, seq=reveal.seq + 1)
    assert f'data-event="{after.pk}"' in html and "缺失" in html


def test_a_changed_anchor_is_shown(client_for, cast, case):
    anchor = anchor_write()
    tamper("UPDATE audit_auditanchor SET heads = '[]' WHERE id = %s", [anchor.pk])
    html = in_english(client_for(cast.auditor)).get(URL).content.decode()
    assert 'data-result="anchors-broken"' in html and "the anchor was changed" in html


def test_a_case_outside_the_scope_is_not_told_apart_from_none(client_for, cast, case):
    html = client_for(cast.auditor).get(URL, {"code": "LH-2026-999999"}).content.decode()
    assert 'data-result="unknown"' in html


@pytest.mark.parametrize("who", ["op_district", "admin", "handler", "resident", "outsider"])
def test_only_auditors_open_the_page(client_for, cast, who):
    assert client_for(getattr(cast, who)).get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    page = client.get(URL)
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
