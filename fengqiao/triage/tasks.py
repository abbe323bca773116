"""Background work of triage: retrain the models when people corrected suggestions."""

from __future__ import annotations

import logging

from django.core.management import call_command
from django_tasks import task

from fengqiao.triage import mlclient

log = logging.getLogger("fengqiao.triage")


def retrain(*, force: bool = False) -> dict[str, str]:
    """Train again (corrections included, fengqiao.triage.ml reads TriageCorrection), then make every process
    load the new version: this one now, the others on their next call (the stamp file).

    Many corrections in a row enqueue many runs; a run finds nothing new after the first and returns at once.
    """
    import time

    from fengqiao.triage.models import TriageCorrection

    latest = TriageCorrection.objects.order_by("-pk").values_list("pk", flat=True).first()
    done = (mlclient.read_stamp() or "").split(":")[0]
    if not force and (latest is None or done == str(latest)):
        return mlclient.versions()
    call_command("train_triage", with_corrections=True)
    mlclient.write_stamp(f"{latest or 0}:{time.time_ns()}")
    mlclient.reload()
    return mlclient.versions()


@task()
def retrain_models() -> dict[str, str]:
    return retrain()
