"""The demo shows real grading reasons (red cases among them) and routes by the responsibility list."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import Case
from fengqiao.cases.workflow import Action
from fengqiao.core.demo import RED_SIGNALS, seed_demo
from fengqiao.core.reasons import render_all
from fengqiao.triage.models import Part, TriageSuggestion

pytestmark = pytest.mark.django_db


def test_demo_cases_are_graded_and_routed_by_the_rules(cast):
    seed_demo(cases=60)
    demo = Case.objects.filter(source_system="demo")
    red = list(demo.filter(grade="red"))
    assert len(red) >= 3
    for case in red:
        assert case.grade_reasons, case.code
        assert TriageSuggestion.objects.get(case=case, part=Part.GRADE).value == "red"  # graded by the rules
    signals = {text for text, *_rest in RED_SIGNALS}
    flagged = [c for c in red if c.description in signals]
    assert flagged and all(any("文本出现" in r for r in render_all(c.grade_reasons)) for c in flagged)
    assert demo.filter(grade="yellow").exists()
    # every dispatched demo case went where the responsibility list said
    for case in demo.exclude(status__in=["submitted", "accepted", "rejected", "withdrawn"]):
        suggestion = TriageSuggestion.objects.get(case=case, part=Part.UNIT)
        first = case.events.filter(action=Action.DISPATCH).first()
        assert first is not None and first.data["to_unit"] == int(suggestion.value), case.code
        assert suggestion.source == "rules"


def test_demo_cases_waiting_for_review_are_texts_no_model_trained_on(cast):
    import csv

    from fengqiao.core.demo import CASES_DATA, _localise
    from fengqiao.triage.ml.data import load_shipped

    seed_demo(cases=60)
    signals = {text for text, *_rest in RED_SIGNALS}
    waiting = [c for c in Case.objects.filter(source_system="demo", status="submitted") if c.description not in signals]
    assert waiting
    with (CASES_DATA / "messages_unseen.csv").open(encoding="utf-8") as fh:
        unseen = {_localise(r["body"]) for r in csv.DictReader(fh)}
    trained = {_localise(r.b) for r in load_shipped("category")}
    for case in waiting:
        assert case.category_id is None and case.description in unseen, case.code
        assert case.description not in trained, case.code  # its confidence is the one a new demand would get
