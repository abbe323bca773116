"""What the radar learns from a new case.

`case_submit` calls `case_submitted(case, parties)` in its transaction, after the case and its parties are written:
the radar's lean row is written there (in a savepoint), and once the submission is committed a radar pass over the
district is enqueued, at most once a minute per district. Nothing here may slow or fail a submission: a failure is
logged and the scheduled pass (every few minutes, fq_scheduler) catches up.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger("fengqiao.warnings")

DEBOUNCE_SECONDS = 60


def case_submitted(case, parties) -> None:
    from fengqiao.warnings.services import radar_case_record

    try:
        with transaction.atomic():
            row = radar_case_record(case, parties)
    except Exception:
        log.exception("radar: the lean row of case %s was not written", case.pk)
        return
    district_id = row.district_id
    transaction.on_commit(lambda: radar_soon(district_id))


def radar_soon(district_id: int) -> bool:
    """Enqueue a pass over the district unless one was enqueued in the last minute; never raises."""
    try:
        if not cache.add(f"fq:radar:soon:{district_id}", 1, timeout=DEBOUNCE_SECONDS):
            return False
        from fengqiao.warnings.tasks import run_radar_district

        run_radar_district.enqueue(district_id)
        return True
    except Exception:
        log.exception("radar: the pass over district %s was not enqueued", district_id)
        return False
