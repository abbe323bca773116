from __future__ import annotations

from django_tasks import task

from fengqiao.petitions.services import petition_sweep


@task()
def sweep_petition_clocks() -> dict[str, int]:
    """Tell petition offices of clocks about to run out and of overdue ones (each alert once)."""
    return petition_sweep()
