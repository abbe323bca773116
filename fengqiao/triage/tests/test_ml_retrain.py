"""End to end with the real (tiny) models: an operator's correction retrains the model in the background
task, the new version carries the correction, and the next case is triaged by the new version."""

from __future__ import annotations

import pytest

from fengqiao.triage import mlclient, tasks
from fengqiao.triage import services as ts
from fengqiao.triage.ml import artefacts, registry
from fengqiao.triage.ml import train as train_module
from fengqiao.triage.models import Part, TriageCorrection, TriageSuggestion
from fengqiao.triage.tests.ml_fixtures import small_rows

REAL_REGISTRY = mlclient.registry  # the autouse fixture of this folder replaces it by "no models"


@pytest.fixture
def real_models(monkeypatch, settings, tmp_path):
    settings.FQ_MODEL_DIR = tmp_path / "models"
    settings.FQ_TRIAGE_STAMP = tmp_path / "stamp"
    shipped = {task: small_rows(task, 12) for task in ("category", "dispatch")}
    monkeypatch.setattr(train_module, "load_shipped", lambda task, part="all": list(shipped[task]))
    monkeypatch.setattr(mlclient, "registry", REAL_REGISTRY)
    registry.reload_models()
    for task in shipped:
        train_module.train(task, folds=2)
    yield shipped
    registry.reload_models()


def unit_suggestion(case) -> TriageSuggestion:
    return TriageSuggestion.objects.get(case=case, part=Part.UNIT)


@pytest.mark.django_db
def test_a_dispatch_correction_retrains_the_router_and_the_new_version_is_used(real_models, gm_rules, make_case,
                                                                                cast, org):
    before = registry.model_versions()["dispatch"]
    first = make_case(description="小区门口有人长期占道摆摊，影响通行，请处理。")
    assert unit_suggestion(first).model_version == before
    assert unit_suggestion(first).value != str(org.hr.pk)

    ts.triage_correct(case=first, actor=cast.op_community, part=Part.UNIT, value=str(org.hr.pk), note="人社局管辖")
    correction = TriageCorrection.objects.get(case=first, task="dispatch")
    assert correction.label == org.hr.name

    tasks.retrain()  # what the worker runs after the correction is committed
    after = registry.model_versions()["dispatch"]
    assert after and after != before
    model, meta = registry.get_model("dispatch")
    assert meta["with_corrections"] is True and meta["rows"] == len(real_models["dispatch"]) + 1
    assert org.hr.name in set(model.classes_)  # the corrected unit is now a label the router knows

    second = make_case(description="小区门口有人长期占道摆摊，影响通行，请尽快处理。")
    assert unit_suggestion(second).model_version == after
    assert tasks.retrain() == mlclient.versions()  # nothing new: no second training
    assert registry.model_versions()["dispatch"] == after


@pytest.mark.django_db
def test_a_category_correction_becomes_training_data_of_the_next_version(real_models, gm_rules, make_case, cast):
    from fengqiao.routing.services import resolve_category

    before = artefacts.current_file("category").name
    case = make_case(title="工资问题", description="公司拖欠三个月工资不发，工人要求补发。")
    labour = resolve_category("劳动和社会保障")
    ts.triage_correct(case=case, actor=cast.op_community, part=Part.CATEGORY, value=str(labour.pk))
    tasks.retrain()
    assert artefacts.current_file("category").name != before
    _, meta = registry.get_model("category")
    assert meta["with_corrections"] is True and meta["rows"] == len(real_models["category"]) + 1


@pytest.mark.django_db
def test_the_scheduler_enqueues_the_daily_retrain(monkeypatch):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    import fengqiao.sla.management.commands.fq_scheduler as scheduler

    call_command("fq_scheduler", once=True)
    assert not DBTaskResult.objects.filter(task_path="fengqiao.triage.tasks.retrain_models").exists()
    monkeypatch.setattr(scheduler, "RETRAIN_EVERY", 0)  # a day has passed
    call_command("fq_scheduler", once=True)
    assert DBTaskResult.objects.filter(task_path="fengqiao.triage.tasks.retrain_models").count() == 1


@pytest.mark.django_db
def test_a_request_never_trains_a_missing_model_the_worker_does(real_models, settings, tmp_path, gm_rules, make_case):
    settings.FQ_MODEL_DIR = tmp_path / "empty"
    registry.reload_models()
    case = make_case(description="公司拖欠工资三个月不发。")  # triage in the request: falls back at once
    assert TriageSuggestion.objects.get(case=case, part=Part.CATEGORY).source == "fallback"
    assert not (tmp_path / "empty").exists() or not any((tmp_path / "empty").iterdir())
    versions = tasks.retrain()  # nothing new to learn, but the models are missing: the worker trains them
    assert versions["category"] and versions["dispatch"]
    assert TriageSuggestion.objects.get(case=make_case(description="公司拖欠工资三个月不发。"),
                                        part=Part.CATEGORY).source == "model"
