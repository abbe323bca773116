"""Background work of triage: retrain the models from corrections and closed cases (after a correction, and
daily from the scheduler)."""

from __future__ import annotations

import logging

from django.core.management import call_command
from django_tasks import task

from fengqiao.triage import mlclient

log = logging.getLogger("fengqiao.triage")


def learned_from() -> str:
    """What a retrain would learn from now: the newest correction and the number of closed cases."""
    from fengqiao.cases.models import Case
    from fengqiao.cases.workflow import Status
    from fengqiao.triage.models import TriageCorrection

    latest = TriageCorrection.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    closed = Case.objects.filter(status__in=[Status.CLOSED, Status.CONFIRMED]).count()
    return f"{latest}:{closed}"


def retrain(*, force: bool = False) -> dict[str, str]:
    """Train again on the shipped data, the platform's closed cases and the operators' corrections, then
    make every process load the new version: this one now, the others on their next call (the stamp file).

    Many corrections in a row enqueue many runs; a run finds nothing new after the first and returns at once.
    The first run on a fresh install only records what the set-up's models stand on.
    """
    import time

    now = learned_from()
    stamp = mlclient.read_stamp()
    done = stamp.rsplit(":", 1)[0] if stamp else None
    if not force and done == now:
        return mlclient.versions()
    if not force and done is None and now == "0:0":
        mlclient.write_stamp(f"{now}:{time.time_ns()}")  # nothing to learn beyond the shipped data
        return mlclient.versions()
    call_command("train_triage", with_corrections=True, with_history=True)
    mlclient.write_stamp(f"{now}:{time.time_ns()}")
    mlclient.reload()
    return mlclient.versions()


@task()
def retrain_models() -> dict[str, str]:
    return retrain()
