"""What the case services tell triage (called from fengqiao.cases.services, each call in a savepoint that
never undoes the case action when it fails)."""

from __future__ import annotations

from django.utils import timezone

from fengqiao.triage.models import Part, SuggestionStatus, TriageCorrection, TriageSuggestion


def grade_submission(*, title: str, description: str, people_count: int, amount, phones, at) -> tuple[str, list]:
    """The rules' grade and reasons for a case about to be created (case_submit asks before it saves); the reasons
    are messages (fengqiao.core.reasons), shown in the reader's language."""
    from fengqiao.triage.grading import grade
    from fengqiao.triage.services import facts_for, signals

    result = grade(facts_for(title=title, description=description, people_count=people_count, amount=amount,
                             phones=phones, at=at, new=True), signals())
    return result.grade, result.messages


def on_submit(case) -> None:
    from fengqiao.triage.services import notify_new_red, triage_case

    triage_case(case)
    if case.grade == "red":
        notify_new_red(case)


def on_facts_changed(case) -> None:
    from fengqiao.triage.services import triage_regrade

    triage_regrade(case)


def on_dispatch(case, *, unit, actor, note: str = "") -> None:
    """A person dispatched the case: the unit suggestion is accepted, or corrected (and kept as training data).

    The training label is the unit that finally handles the case (as in the dispatch records the router
    learned from): a re-dispatch after a return (退单) moves the label, or removes it when the case ends up
    where the platform had suggested.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    suggestion = TriageSuggestion.objects.filter(case=case, part=Part.UNIT).first()
    if suggestion is None:
        return
    if suggestion.status != SuggestionStatus.PENDING:
        _follow_redispatch(case, suggestion, unit=unit, actor=actor)
        return
    same = suggestion.value == str(unit.pk)
    suggestion.status = SuggestionStatus.ACCEPTED if same else SuggestionStatus.CORRECTED
    suggestion.final_value, suggestion.final_label = str(unit.pk), unit.name[:120]
    suggestion.decided_by, suggestion.decided_at, suggestion.note = actor, timezone.now(), note
    suggestion.save(update_fields=["status", "final_value", "final_label", "decided_by", "decided_at", "note",
                                   "updated_at"])
    if not same:
        from fengqiao.triage.services import _after_correction, street_name

        TriageCorrection.objects.create(task=TriageCorrection.Task.DISPATCH, title=case.title, body=case.description,
                                        location=street_name(case), label=unit.name, case=case, corrected_by=actor)
        _after_correction()


def _follow_redispatch(case, suggestion, *, unit, actor) -> None:
    from fengqiao.triage.services import _after_correction, street_name

    rows = TriageCorrection.objects.filter(case=case, task=TriageCorrection.Task.DISPATCH)
    if suggestion.value == str(unit.pk):
        rows.delete()  # it ended up where the platform suggested: no correction to learn from
        return
    if rows.exists():
        rows.update(label=unit.name)
    else:
        TriageCorrection.objects.create(task=TriageCorrection.Task.DISPATCH, title=case.title, body=case.description,
                                        location=street_name(case), label=unit.name, case=case, corrected_by=actor)
    _after_correction()
