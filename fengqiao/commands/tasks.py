"""The command clock, run by the scheduler every minute (fengqiao.core.tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_commands() -> int:
    from fengqiao.commands.services import sweep_commands as sweep

    return sweep()


@task()
def command_daily_reminder() -> int:
    from fengqiao.commands.services import daily_reminder

    return daily_reminder()
