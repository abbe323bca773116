"""The incremental counters equal a full recount after any sequence of case moves through the real services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import HOME_COMMUNITY
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category, Party
from fengqiao.cases.workflow import TransitionError
from fengqiao.dashboard import tallies
from fengqiao.dashboard.models import DayTally

PLACES = (HOME_COMMUNITY, "440311001", "440311002", "440303")  # a community, two streets, another district
NAMES = ("深圳市某某公司", "深圳市 某某公司", "光明建筑队", "")
OPS = (
    "submit",
    "accept",
    "reject",
    "merge",
    "dispatch",
    "sign",
    "start",
    "hold",
    "resume",
    "resolve",
    "resolve_late",
    "confirm",
    "close",
    "reopen",
    "regrade",
    "recategorise",
    "withdraw",
    "anonymise",
)

step = st.tuples(st.sampled_from(OPS), st.integers(0, 30), st.integers(0, 1000))


def _submit(make_case, r: int, now):
    place = PLACES[r % len(PLACES)]
    respondents = [
        cs.PartyInput(
            role=Party.PartyRole.RESPONDENT,
            name=NAMES[(r + k) % len(NAMES)] or "某人",
            kind=Party.Kind.ORGANISATION if k else Party.Kind.PERSON,
        )
        for k in range(r % 3)
    ]
    categories = list(Category.objects.values_list("pk", flat=True)[:3])
    return make_case(
        place,
        people_count=1 + r % 9,
        amount=Decimal(r * 37) / 10 if r % 4 else None,
        grade=("green", "yellow", "red")[r % 3],
        service_type=("complaint", "mediation", "legal")[r % 3],
        category=Category.objects.get(pk=categories[r % len(categories)]) if categories and r % 2 else None,
        parties=respondents,
        submitted_at=now - timedelta(hours=r % 72),
    )


def _move(op: str, case: Case, r: int, others: list[Case], org, now):
    at = now + timedelta(days=30) if op == "resolve_late" else now
    if op == "accept":
        cs.case_accept(case=case, actor=None)
    elif op == "reject":
        cs.case_reject(case=case, actor=None, reason="不属于受理范围")
    elif op == "merge":
        into = others[r % len(others)]
        cs.case_merge(case=case, actor=None, into=Case.objects.get(pk=into.pk))
    elif op == "dispatch":
        cs.case_dispatch(case=case, actor=None, unit=(org.hr, org.housing, org.mediation)[r % 3])
    elif op == "sign":
        cs.case_sign(case=case, actor=None)
    elif op == "start":
        cs.case_start(case=case, actor=None)
    elif op == "hold":
        cs.case_hold(case=case, actor=None, reason="等待鉴定")
    elif op == "resume":
        cs.case_resume(case=case, actor=None)
    elif op in ("resolve", "resolve_late"):
        cs.case_resolve(
            case=case, actor=None, outcome=("resolved", "partly", "not_resolved")[r % 3], note="已处理", at=at
        )
    elif op == "confirm":
        cs.case_confirm(case=case, actor=None, satisfaction=("satisfied", "basically_satisfied", "dissatisfied")[r % 3])
    elif op == "close":
        cs.case_close(case=case, actor=None)
    elif op == "reopen":
        cs.case_reopen(case=case, actor=None, reason="不满意")
    elif op == "regrade":
        cs.case_regrade(case=case, actor=None, grade=("green", "yellow", "red")[r % 3], reason="复核")
    elif op == "recategorise":
        category = Category.objects.order_by("pk")[r % 5] if r % 2 else None
        cs.case_recategorise(case=case, actor=None, service_type=("complaint", "assistance")[r % 2], category=category)
    elif op == "withdraw":
        cs.case_withdraw(case=case, actor=None)
    elif op == "anonymise":
        from fengqiao.privacy.anonymise import case_anonymise
        from fengqiao.privacy.models import Anonymisation

        if not Anonymisation.objects.filter(case=case).exists():  # once per case
            case_anonymise(case=case, reason="测试")


def _run(moves, make_case, org):
    now = timezone.now()
    cases: list[Case] = [_submit(make_case, 1, now)]
    for op, index, r in moves:
        try:
            if op == "submit":
                cases.append(_submit(make_case, r, now))
                continue
            case = Case.objects.get(pk=cases[index % len(cases)].pk)
            others = [c for c in cases if c.pk != case.pk] or cases
            with transaction.atomic():
                _move(op, case, r, others, org, now)
        except (ValidationError, TransitionError, PermissionDenied):
            pass  # a move the case's state does not allow: nothing changes
    return cases


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(moves=st.lists(step, min_size=1, max_size=30))
@pytest.mark.django_db
def test_counters_equal_a_full_recount_after_any_moves(moves, make_case, org, catalogue):
    with transaction.atomic():
        _run(moves, make_case, org)
        assert tallies.compare(tallies.recount(batch=7), tallies.stored()) == []
        transaction.set_rollback(True)


def test_a_long_fixed_story_and_the_rebuild_command(make_case, org, catalogue):
    moves = [("submit", 0, r) for r in range(2, 12)] + [("merge", 5, 1), ("accept", 6, 0), ("merge", 6, 2)]
    moves += [(op, i, i * 7) for i in range(12) for op in ("accept", "dispatch", "sign", "start")]
    moves += [("resolve", i, i) for i in range(0, 12, 2)] + [("confirm", i, i) for i in range(0, 12, 4)]
    moves += [("reopen", 2, 0), ("merge", 1, 3), ("regrade", 3, 2), ("close", 0, 0), ("anonymise", 4, 0)]
    cases = _run(moves, make_case, org)
    statuses = set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("status", flat=True))
    assert {"merged", "confirmed", "closed", "resolved", "in_progress"} <= statuses
    assert DayTally.objects.exists()
    assert tallies.compare(tallies.recount(), tallies.stored()) == []
    call_command("rebuild_tallies", "--check")
    DayTally.objects.update(received=0)  # the counters drift …
    with pytest.raises(CommandError):
        call_command("rebuild_tallies", "--check")
    call_command("rebuild_tallies")  # … and a rebuild puts them right
    call_command("rebuild_tallies", "--check")
