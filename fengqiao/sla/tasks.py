from __future__ import annotations

from django_tasks import task

from fengqiao.sla.sweep import sweep


@task()
def sweep_deadlines() -> dict[str, int]:
    return sweep().as_dict()
