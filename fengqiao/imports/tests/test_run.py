"""The import itself: in the background (django-tasks), row by row, resumable, and never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fengqiao.cases.models import Case, Channel
from fengqiao.imports import services
from fengqiao.imports.models import ImportBatch, ImportRow
from fengqiao.imports.services import batch_create, batch_run, batch_start, import_file_now, mapping_default
from fengqiao.imports.tasks import run_import

from .conftest import SAMPLE_CSV, make_csv, row

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def sample_batch(user, mapping) -> ImportBatch:
    return batch_create(mapping=mapping, name="sample.csv", content=SAMPLE_CSV.read_bytes(), user=user)


@pytest.mark.django_db
def test_the_task_imports_every_good_row_through_case_submit(cast, mapping, categories):
    batch = sample_batch(cast.op_district, mapping)
    batch_start(batch=batch, user=cast.op_district, enqueue=False)
    counts = run_import.call(batch.pk)

    assert counts == {"pending": 0, "created": 18, "duplicate": 0, "rejected": 2}
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.finished_at is not None
    assert (batch.created_count, batch.duplicate_count, batch.rejected_count) == (18, 0, 2)
    cases = Case.objects.filter(source_system="import:12345")
    assert cases.count() == 18
    assert set(cases.values_list("channel", flat=True)) == {Channel.IMPORT}

    wages = cases.get(source_id="SZ12345-2026111800117")
    assert wages.service_type == "mediation" and wages.category.name == "劳资纠纷"
    assert (wages.people_count, int(wages.amount)) == (23, 360000)
    assert wages.region.name == "上村社区" and wages.holder_unit.name == "上村社区群众诉求服务中心"
    assert timezone.localtime(wages.submitted_at).strftime("%Y-%m-%d %H:%M:%S") == "2026-11-18 09:15:33"
    applicant = wages.parties.get()
    assert (applicant.name, applicant.phone) == ("刘女士", "13612345670")
    assert wages.reporter == cast.op_district
    first = wages.events.get(seq=1)
    assert (first.action, first.actor) == ("submit", cast.op_district)

    anonymous = cases.get(source_id="SZ12345-2026111800158")  # no caller name
    assert anonymous.parties.get().name == "Caller (name not given)"
    landline = cases.get(source_id="SZ12345-2026111800142")
    assert landline.parties.get().phone == "075527401234"
    assert cases.get(source_id="SZ12345-2026112000311").service_type == "psychological"

    rows = {r.number: r for r in batch.rows.all()}
    assert rows[3].case == wages and rows[3].outcome == "created"
    assert rows[19].outcome == "rejected" and "联系电话" in rows[19].reasons[0] and rows[19].case is None


@pytest.mark.django_db
def test_re_importing_the_same_file_creates_nothing_new(cast, mapping, categories):
    first = import_file_now(mapping=mapping, name="a.csv", content=SAMPLE_CSV.read_bytes(), user=cast.op_district)
    before = Case.objects.count()
    again = sample_batch(cast.op_district, mapping)
    assert (again.preview_ok, again.preview_duplicate, again.preview_rejected) == (0, 18, 2)
    batch_start(batch=again, user=cast.op_district, enqueue=False)
    batch_run(batch_id=again.pk)
    again.refresh_from_db()
    assert (again.created_count, again.duplicate_count, again.rejected_count) == (0, 18, 2)
    assert Case.objects.count() == before
    first_cases = dict(first.rows.filter(outcome="created").values_list("number", "case_id"))
    assert dict(again.rows.filter(outcome="duplicate").values_list("number", "case_id")) == first_cases


@pytest.mark.django_db
def test_a_row_imported_elsewhere_after_the_preview_is_skipped_at_import_time(cast, mapping):
    batch = batch_create(mapping=mapping, name="a.csv", content=make_csv([row(工单编号="Z-9")]), user=cast.op_district)
    assert batch.preview_ok == 1
    import_file_now(mapping=mapping, name="b.csv", content=make_csv([row(工单编号="Z-9")]), user=cast.op_district)
    batch_start(batch=batch, user=cast.op_district, enqueue=False)
    assert batch_run(batch_id=batch.pk)["duplicate"] == 1
    assert Case.objects.filter(source_id="Z-9").count() == 1


class WorkerDied(BaseException):
    """What a killed worker looks like from inside: nothing after this line runs."""


@pytest.mark.django_db
def test_after_a_crash_mid_batch_the_resumed_import_does_only_the_rest(cast, mapping, categories, monkeypatch):
    batch = sample_batch(cast.op_district, mapping)
    batch_start(batch=batch, user=cast.op_district, enqueue=False)
    real_submit = services.case_submit
    calls: list[str] = []

    def dying_submit(**kwargs):
        if len(calls) == 5:
            raise WorkerDied
        calls.append(kwargs["source_id"])
        return real_submit(**kwargs)

    monkeypatch.setattr(services, "case_submit", dying_submit)
    with pytest.raises(WorkerDied):
        batch_run(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING
    done = {r.number: (r.case_id, r.processed_at) for r in batch.rows.exclude(outcome="pending")}
    assert len(done) == 5 and Case.objects.filter(source_system="import:12345").count() == 5
    assert services.batch_progress(batch).done == 5

    # The worker is gone: after a while the batch reads as stalled, and resuming queues it again.
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    batch.refresh_from_db()
    assert batch.is_stalled()
    calls.clear()
    monkeypatch.setattr(services, "case_submit", lambda **kw: calls.append(kw["source_id"]) or real_submit(**kw))
    counts = batch_run(batch_id=batch.pk)

    assert counts == {"pending": 0, "created": 18, "duplicate": 0, "rejected": 2}
    assert len(calls) == 13  # the 13 good rows that were still pending, not the 5 already done
    assert {r.number: (r.case_id, r.processed_at) for r in batch.rows.filter(number__in=done)} == done
    assert Case.objects.filter(source_system="import:12345").count() == 18


@pytest.mark.django_db(transaction=True)  # the worker manages its own transactions and connections
def test_the_real_database_worker_runs_the_import(cast, categories, settings):
    settings.TASKS = DB_TASKS
    mapping = mapping_default()  # a transactional test may start after a flush: make sure it exists
    batch = sample_batch(cast.op_district, mapping)
    batch_start(batch=batch, user=cast.op_district)  # enqueued when the transaction commits
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED and batch.task_id
    task = DBTaskResult.objects.get(pk=batch.task_id)
    assert task.status == TaskResultStatus.READY

    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL, task.exception_class_path
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.rejected_count) == (ImportBatch.Status.DONE, 18, 2)


@pytest.mark.django_db
def test_start_from_the_page_queues_the_task_once(cast, mapping, client_for, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DB_TASKS
    batch = batch_create(mapping=mapping, name="a.csv", content=make_csv([row()]), user=cast.op_district)
    client = client_for(cast.op_district)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:start", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "queued" and DBTaskResult.objects.filter(pk=batch.task_id).exists()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("imports:start", args=[batch.pk]), follow=True)
    assert "already been started" in again.content.decode()
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_the_progress_bar_polls_while_running_and_stops_when_done(cast, mapping, client_for):
    batch = batch_create(mapping=mapping, name="a.csv", content=make_csv([row(工单编号="1"), row(工单编号="2")]),
                         user=cast.op_district)
    client = client_for(cast.op_district)
    batch_start(batch=batch, user=cast.op_district, enqueue=False)
    running = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in running and '<progress max="2" value="0"' in running
    assert "<html" not in running  # the partial alone

    batch_run(batch_id=batch.pk)
    done = client.get(reverse("imports:progress", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in done and '<progress max="2" value="2"' in done
    assert '<strong data-count="created">2</strong>' in done
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()  # a manual refresh shows the same
    assert '<progress max="2" value="2"' in page and 'data-status="done"' in page
    assert page.count('data-outcome="created"') == 2


@pytest.mark.django_db
def test_a_stalled_import_offers_resume_and_resume_queues_it_again(
    cast, mapping, client_for, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    batch = batch_create(mapping=mapping, name="a.csv", content=make_csv([row()]), user=cast.op_district)
    batch_start(batch=batch, user=cast.op_district, enqueue=False)
    client = client_for(cast.op_district)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:resume", args=[batch.pk]))
    assert DBTaskResult.objects.count() == 0  # just queued: not stalled, nothing to resume

    ImportBatch.objects.filter(pk=batch.pk).update(status="running", heartbeat_at=timezone.now() - timedelta(hours=1))
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert reverse("imports:resume", args=[batch.pk]) in page and "hx-trigger" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:resume", args=[batch.pk]))
    assert DBTaskResult.objects.count() == 1
    batch.refresh_from_db()
    assert not batch.is_stalled()


@pytest.mark.django_db
def test_the_resume_command_requeues_stalled_batches_only(cast, mapping, settings, django_capture_on_commit_callbacks,
                                                          capsys):
    settings.TASKS = DB_TASKS
    stalled = batch_create(mapping=mapping, name="a.csv", content=make_csv([row(工单编号="1")]), user=cast.op_district)
    fresh = batch_create(mapping=mapping, name="b.csv", content=make_csv([row(工单编号="2")]), user=cast.op_district)
    for b in (stalled, fresh):
        batch_start(batch=b, user=cast.op_district, enqueue=False)
    ImportBatch.objects.filter(pk=stalled.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("imports_resume")
    assert f"Resumed 1 import batch(es): {stalled.pk}" in capsys.readouterr().out
    assert DBTaskResult.objects.get().task_result.args == [stalled.pk]


@pytest.mark.django_db
def test_running_a_finished_batch_again_changes_nothing(cast, mapping):
    batch = import_file_now(mapping=mapping, name="a.csv", content=make_csv([row()]), user=cast.op_district)
    processed = list(ImportRow.objects.values_list("pk", "processed_at"))
    assert batch_run(batch_id=batch.pk)["created"] == 1
    assert list(ImportRow.objects.values_list("pk", "processed_at")) == processed
