"""Background work of triage: retrain the models from corrections and closed cases (after a correction, and
daily from the scheduler)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django_tasks import task

from fengqiao.triage import mlclient


def learned_from() -> str:
    """What a retrain would learn from now: the newest correction and the number of closed cases."""
    from fengqiao.cases.models import Case
    from fengqiao.cases.workflow import Status
    from fengqiao.triage.models import TriageCorrection

    latest = (TriageCorrection.objects.exclude(task=TriageCorrection.Task.SERVICE_TYPE)  # no model learns it
              .order_by("-pk").values_list("pk", flat=True).first() or 0)
    closed = Case.objects.filter(status__in=[Status.CLOSED, Status.CONFIRMED]).count()
    return f"{latest}:{closed}"


def _marker() -> Path:
    """Where the last retrain wrote what it learned from (learned_from() at the time)."""
    return Path(getattr(settings, "FQ_TRIAGE_STAMP", Path(settings.VAR_DIR) / "triage-models.stamp"))


def retrain(*, force: bool = False) -> dict[str, str]:
    """Train again on the shipped data, the platform's closed cases and the operators' corrections when any of
    them is new since the last retrain (the shipped data alone is what `./fq setup` trained on), or when a
    model is missing (web processes never train: they fall back until this has run). The new
    `*.current` pointers make every process use the new versions from its next call on.

    Many corrections in a row enqueue many runs; a run finds nothing new after the first and returns at once.
    """
    if mlclient.registry() is None:
        return {}  # the models are switched off
    now = learned_from()
    try:
        done = _marker().read_text(encoding="utf-8").strip()
    except OSError:
        done = "0:0"
    versions = mlclient.versions()
    missing = not versions.get("category") or not versions.get("dispatch")
    if force or missing or now != done:
        call_command("train_triage", with_corrections=True, with_history=True)
        marker = _marker()
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(now, encoding="utf-8")
        tmp.replace(marker)  # atomic: a concurrent run reads the old marker or the new one
    return mlclient.versions()


@task()
def retrain_models() -> dict[str, str]:
    return retrain()
