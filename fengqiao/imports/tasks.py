"""Background work of bulk import (django-tasks): run one batch, row by row, resumable."""

from __future__ import annotations

from django_tasks import task

from fengqiao.imports.services import batch_run


@task()
def run_import(batch_id: int) -> dict[str, int]:
    return batch_run(batch_id=batch_id)
